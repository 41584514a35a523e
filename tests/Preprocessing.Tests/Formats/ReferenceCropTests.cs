namespace Inference.Preprocessing.Tests.Formats;

/// <summary>Every encoding and variant gives Pillow's crop exactly; needs no shared data.</summary>
public sealed class ReferenceCropTests
{
    private static readonly ImagePreprocessor Preprocessor = new();

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var path in Directory.EnumerateFiles(ReferenceData.Folder, "*.rgb").Order(StringComparer.Ordinal))
        {
            var parts = Path.GetFileName(path).Split('.');
            data.Add($"{parts[0]}.{parts[1]}", parts[2]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DecodeCrop_ReferenceImage_MatchesPillowExactly(string file, string spec)
    {
        var expected = ReferenceData.Expected(file, spec);
        var crop = new byte[expected.Length];

        Preprocessor.DecodeCrop(ReferenceData.Image(file), ReferenceData.Spec(spec), crop);

        var (mad, max) = ReferenceData.Compare(crop, expected);
        Assert.True(max == 0, $"{file} ({spec}): MAD {mad:F4}, max difference {max}");
    }

    [Fact]
    public void Cases_CoverEveryFormat()
    {
        var files = Cases().Select(row => row.Data.Item1).ToList();

        foreach (var extension in new[] { ".jpg", ".png", ".webp", ".bmp", ".gif", ".tif" })
        {
            Assert.Contains(files, f => f.EndsWith(extension, StringComparison.Ordinal));
        }

        Assert.True(files.Count >= 37, $"only {files.Count} reference cases found in {ReferenceData.Folder}");
    }
}
