using Inference.TestSupport;

namespace Inference.Preprocessing.Tests.Decoding;

/// <summary>Mutated JPEG and PNG bytes (fixed seed) end in a typed error or a valid tensor, never anything else.</summary>
public sealed class FuzzTests
{
    private const int CasesPerFormat = 1500;

    public static TheoryData<string> Formats() => ["jpeg", "png"];

    [Theory]
    [MemberData(nameof(Formats))]
    public void Preprocess_MutatedBytes_TypedErrorOrFiniteTensor(string format)
    {
        var original = format == "jpeg" ? TestImages.Jpeg(96, 72) : TestImages.Png(96, 72);
        var preprocessor = new ImagePreprocessor(new ImageLimits { MaxPixels = 4_000_000, MaxDimension = 4096 });
        var spec = PreprocessingSpec.ImageNet with { ResizeSize = 64, InputWidth = 56, InputHeight = 56 };
        var tensor = new float[spec.TensorLength];
        var random = new Random(20240611);
        var outcomes = new Dictionary<string, int>();

        for (var i = 0; i < CasesPerFormat; i++)
        {
            var mutated = Mutate(original, random);
            string outcome;
            try
            {
                preprocessor.Preprocess(mutated, spec, tensor);
                Assert.All(tensor, v => Assert.True(float.IsFinite(v) && v > -3 && v < 3));
                outcome = "ok";
            }
            catch (ImageProcessingException e)
            {
                outcome = e.Code.ToString();
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        TestContext.Current.SendDiagnosticMessage($"{format}: {string.Join(", ", outcomes.Select(p => $"{p.Key} {p.Value}"))}");
        Assert.Equal(CasesPerFormat, outcomes.Values.Sum());
        Assert.True(outcomes.Count >= 2, "mutations should produce both successes and refusals");
    }

    internal static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(5))
        {
            case 0: // flip a few bits anywhere
                for (var n = random.Next(1, 8); n > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            case 1: // overwrite a byte in the header region with an extreme value
                bytes[random.Next(Math.Min(bytes.Length, 64))] = random.Next(2) == 0 ? (byte)0xFF : (byte)0x00;
                return bytes;
            case 2: // truncate
                return bytes[..random.Next(1, bytes.Length)];
            case 3: // random run of garbage
                var start = random.Next(bytes.Length);
                random.NextBytes(bytes.AsSpan(start, Math.Min(random.Next(1, 64), bytes.Length - start)));
                return bytes;
            default: // duplicate a slice (inserted markers, chunk repeats)
                var from = random.Next(bytes.Length);
                var length = Math.Min(random.Next(1, 200), bytes.Length - from);
                return [.. bytes[..from], .. bytes.AsSpan(from, length), .. bytes[from..]];
        }
    }
}
