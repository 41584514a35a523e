using System.Globalization;
using Inference.Engine.Tests.Support;
using Inference.Tools.Evaluate;
using TestImages = Inference.Engine.Tests.Support.TestImages;

namespace Inference.Engine.Tests.Wild;

/// <summary>tools/Evaluate in-process on the seeded 10-class ResNet-18, with labels defined from the model's own ranking.</summary>
public sealed class EvaluatorTests(ExportVariantsFixture fixture) : IClassFixture<ExportVariantsFixture>, IDisposable
{
    private const int Images = 6;
    private readonly TempDirectory _data = new("evaluate-tests-");

    [Fact]
    public async Task RunAsync_LabelsAreTheModelsArgmax_Top1IsOne()
    {
        var report = await EvaluateImageFolder(rank => rank[0]);

        Assert.Equal((1.0, 1.0, Images), (report.Top1, report.Top5, report.Images));
        Assert.Empty(report.Confusions);
    }

    [Fact]
    public async Task RunAsync_LabelsAreTheModelsFifthChoice_Top1ZeroTop5One()
    {
        var report = await EvaluateImageFolder(rank => rank[4]);

        Assert.Equal((0.0, 1.0), (report.Top1, report.Top5));
        Assert.Equal(Images, report.Confusions.Sum(c => c.Count));
        Assert.All(report.PerClass, c => Assert.Equal(0.0, c.Top1));
    }

    [Fact]
    public async Task RunAsync_HalfLabelledWithTheLastChoice_ExactlyHalf()
    {
        var image = 0;
        var report = await EvaluateImageFolder(rank => image++ % 2 == 0 ? rank[0] : rank[^1]);

        Assert.Equal((0.5, 0.5), (report.Top1, report.Top5));
        Assert.Equal("top1=0.5 top5=0.5 images=6", Evaluator.SummaryLine(report));
    }

    [Fact]
    public async Task FromGroundTruth_ImageNetValLayout_ReadsFileAndIndexAndAgreesWithImageFolder()
    {
        var ranker = new EngineRanker(fixture.Host.Engine, ExportVariantsFixture.Plain);
        var lines = new List<string>();
        for (var seed = 0; seed < Images; seed++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"ILSVRC2012_val_{seed:D8}.JPEG");
            await File.WriteAllBytesAsync(_data.PathOf(name), TestImages.Jpeg(seed), TestContext.Current.CancellationToken);
            var rank = await ranker.RankAsync(TestImages.Jpeg(seed), 10, TestContext.Current.CancellationToken);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {rank[0]}"));
        }

        var truth = _data.Write("val.txt", string.Join('\n', lines));

        var set = EvaluationSet.FromGroundTruth(_data.Root, truth);
        var report = await Evaluator.RunAsync(set, i => ranker.RankAsync(File.ReadAllBytes(i.Path), 5, CancellationToken.None), []);

        Assert.Equal(Images, set.Count);
        Assert.Equal("top1=1 top5=1 images=6", Evaluator.SummaryLine(report));
    }

    [Fact]
    public void FromImageFolder_FolderNamedNeitherLabelNorIndex_ThrowsNamingIt()
    {
        Directory.CreateDirectory(_data.PathOf("zebra"));

        var error = Assert.Throws<InvalidDataException>(() => EvaluationSet.FromImageFolder(_data.Root, ["cat", "dog"]));

        Assert.Contains("zebra", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, 1.0)]
    [InlineData(true, 0.0)]
    public async Task Knn_FeatureExtractorOnTwinImages_LeaveOneOutFollowsTheTwinsLabel(bool twinsDisagree, double top1)
    {
        var ct = TestContext.Current.CancellationToken;
        var ranker = new EngineRanker(fixture.Host.Engine, ExportVariantsFixture.Features);
        var set = new List<LabelledImage>();
        var unit = new List<float[]>();
        for (var i = 0; i < Images; i++)
        {
            // Images 2s and 2s+1 are the same picture; with twinsDisagree their labels differ.
            var (seed, twin) = (i / 2, i % 2);
            set.Add(new LabelledImage(string.Create(CultureInfo.InvariantCulture, $"{i}.jpg"), twinsDisagree && twin == 1 ? (seed + 1) % (Images / 2) : seed));
            unit.Add(NearestNeighbours.Normalise(await ranker.EmbedAsync(TestImages.Jpeg(seed), ct)));
        }

        var classes = set.Select(s => s.Class).ToList();
        var report = await Evaluator.RunAsync(set, i => Task.FromResult(NearestNeighbours.Rank(unit, classes, set.IndexOf(i), 1)), []);

        Assert.Equal(top1, report.Top1);
        Assert.Equal(512, unit[0].Length);
    }

    public void Dispose() => _data.Dispose();

    /// <summary>Writes each test image into the ImageFolder subfolder of the class <paramref name="choose"/> picks from its ranking.</summary>
    private async Task<EvaluationReport> EvaluateImageFolder(Func<IReadOnlyList<int>, int> choose)
    {
        var ct = TestContext.Current.CancellationToken;
        var ranker = new EngineRanker(fixture.Host.Engine, ExportVariantsFixture.Plain);
        for (var seed = 0; seed < Images; seed++)
        {
            var rank = await ranker.RankAsync(TestImages.Jpeg(seed), 10, ct);
            var folder = Directory.CreateDirectory(_data.PathOf(choose(rank).ToString(CultureInfo.InvariantCulture))).FullName;
            await File.WriteAllBytesAsync(Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{seed}.jpg")), TestImages.Jpeg(seed), ct);
        }

        var set = EvaluationSet.FromImageFolder(_data.Root, []);
        Assert.Equal(Images, set.Count);
        return await Evaluator.RunAsync(set, i => ranker.RankAsync(File.ReadAllBytes(i.Path), Evaluator.TopK, ct), []);
    }
}
