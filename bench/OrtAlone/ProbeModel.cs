using System.Globalization;
using Inference.Onnx.Preparation;
using Inference.Onnx.ResNet;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Bench.OrtAlone;

/// <summary>
/// One <see cref="InferenceSession"/> over the graph the engine runs (<see cref="ModelPreparer"/>: the model plus the
/// embedding exposed as a second output), created with the engine's session options, fetching the outputs the engine
/// fetches. Only ONNX Runtime: no queue, no batcher, no host.
/// </summary>
internal sealed class ProbeModel : IDisposable
{
    private ProbeModel(
        InferenceSession session, string source, string inputName, string[] outputNames, int[] outputWidths, bool channelsLast, int inputSize, int? fixedBatch)
    {
        FixedBatch = fixedBatch;
        Session = session;
        Source = source;
        InputName = inputName;
        OutputNames = outputNames;
        OutputWidths = outputWidths;
        ChannelsLast = channelsLast;
        InputSize = inputSize;
    }

    public InferenceSession Session { get; }

    /// <summary>The model file the session was made from.</summary>
    public string Source { get; }

    public string InputName { get; }

    public string[] OutputNames { get; }

    /// <summary>Floats per image of each of <see cref="OutputNames"/>.</summary>
    public int[] OutputWidths { get; }

    public bool ChannelsLast { get; }

    public int InputSize { get; }

    /// <summary>The batch size the graph is fixed to, or null when its batch dimension is symbolic.</summary>
    public int? FixedBatch { get; }

    public int InputPerImage => 3 * InputSize * InputSize;

    public long[] InputShape(int batch) => ChannelsLast ? [batch, InputSize, InputSize, 3] : [batch, 3, InputSize, InputSize];

    /// <summary>
    /// Opens <paramref name="model"/>: an <c>.onnx</c> path, or <c>resnet18</c>..<c>resnet152</c>, built once with the project's
    /// seeded builder (seed 42, the repository's default) into <paramref name="cache"/>.
    /// </summary>
    public static ProbeModel Open(string model, string cache, int intraOpThreads)
    {
        var path = File.Exists(model) ? Path.GetFullPath(model) : Seeded(model, cache);
        var (session, prepared) = CreateSession(path, intraOpThreads);
        var dims = prepared.InputDimensions;
        var channelsLast = prepared.InputChannelsLast == true;
        var size = (int)((channelsLast ? dims[1] : dims[2]) ?? 224);
        string[] outputs = [.. new[] { prepared.LogitsOutputName, prepared.EmbeddingOutputName }.OfType<string>()];
        var widths = outputs.Select(name => (int)session.OutputMetadata[name].Dimensions.Skip(1).Aggregate(1L, (a, d) => a * Math.Max(1, d))).ToArray();
        if (prepared.EmbeddingOutputName is { } embedding && prepared.EmbeddingWidth is { } width)
        {
            widths[Array.IndexOf(outputs, embedding)] = width;
        }

        return new ProbeModel(session, path, prepared.InputName, outputs, widths, channelsLast, size, dims[0] is { } fixedBatch ? (int)fixedBatch : null);
    }

    /// <summary>Builds the session; the prepared model's bytes die with this frame, so a held session's RSS is ORT's alone.</summary>
    private static (InferenceSession Session, PreparedShape Prepared) CreateSession(string path, int intraOpThreads)
    {
        var prepared = ModelPreparer.Prepare(path);
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
        };
        foreach (var (key, value) in prepared.SessionConfigEntries)
        {
            options.AddSessionConfigEntry(key, value);
        }

        var session = new InferenceSession(prepared.ModelBytes, options);
        return (session, new PreparedShape(
            prepared.InputName, prepared.InputDimensions, prepared.InputChannelsLast, prepared.LogitsOutputName, prepared.EmbeddingOutputName, prepared.EmbeddingWidth));
    }

    private static string Seeded(string name, string cache)
    {
        if (!name.StartsWith("resnet", StringComparison.OrdinalIgnoreCase)
            || !int.TryParse(name.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var depth)
            || !ResNetSpec.SupportedDepths.Contains(depth))
        {
            throw new ArgumentException($"--model '{name}' is neither an existing .onnx file nor one of resnet{string.Join("/", ResNetSpec.SupportedDepths)}.");
        }

        var path = Path.Combine(Path.GetFullPath(cache), $"resnet{depth}-seed42-{ResNetBuilder.WeightsVersion}.onnx");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            ResNetBuilder.Write(new ResNetSpec(depth) { Seed = 42 }, path);
        }

        return path;
    }

    public void Dispose() => Session.Dispose();

    /// <summary>What the probe keeps of the prepared model (not its bytes).</summary>
    private sealed record PreparedShape(
        string InputName, long?[] InputDimensions, bool? InputChannelsLast, string? LogitsOutputName, string? EmbeddingOutputName, int? EmbeddingWidth);
}
