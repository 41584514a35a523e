using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Preparation;

/// <summary>
/// A model made ready for the engine by <see cref="ModelPreparer"/>: its graph with the embedding
/// tensor added as an extra output, and what the engine needs to know to feed and read it.
/// </summary>
public sealed record PreparedModel
{
    /// <summary>
    /// ONNX Runtime's session config key (<c>kOrtSessionOptionsModelExternalInitializersFileFolderPath</c>)
    /// for the folder that holds a model's external data files when the model is given as bytes.
    /// Without it, ORT resolves external data relative to the process's working directory.
    /// </summary>
    public const string ExternalInitializersFolderConfigKey = "session.model_external_initializers_file_folder_path";

    /// <summary>
    /// The edited model, serialized: create the ORT session from these bytes, with <see cref="SessionConfigEntries"/>.
    /// Its large weights are not in it: they point at their bytes in <see cref="ModelPath"/> (<see cref="WeightReferences"/>).
    /// </summary>
    public required byte[] ModelBytes { get; init; }

    /// <summary>The edited model itself (do not change it: <see cref="ModelBytes"/> is its serialization).</summary>
    public required ModelProto Model { get; init; }

    /// <summary>How many initializers point at their bytes inside <see cref="ModelPath"/> itself.</summary>
    public int ReferencedWeights { get; init; }

    /// <summary>
    /// The files ONNX Runtime reads weights from, each as it was when it was read: the model file when it holds
    /// <see cref="ReferencedWeights"/>, and each external data file of the export. Empty: every weight is in <see cref="ModelBytes"/>.
    /// </summary>
    public IReadOnlyDictionary<string, ModelFileStamp> WeightFiles { get; init; } = new Dictionary<string, ModelFileStamp>();

    /// <summary>The bytes of the weights stored in <see cref="WeightFiles"/> rather than in <see cref="ModelBytes"/>.</summary>
    public long ExternalWeightBytes { get; init; }

    /// <summary>
    /// False when the model with every weight read in would pass protobuf's 2 GiB limit on one message: such a model can
    /// only be loaded from its files.
    /// </summary>
    public bool CanInline => ModelBytes.LongLength + ExternalWeightBytes < int.MaxValue;

    /// <summary>The full path of the model file.</summary>
    public required string ModelPath { get; init; }

    /// <summary>The folder that holds the model file and its external data files.</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>
    /// True when the export keeps one or more initializers in external data files of its own (each checked to exist and
    /// be large enough); <see cref="ReferencedWeights"/> are not counted.
    /// </summary>
    public required bool HasExternalData { get; init; }

    /// <summary>
    /// Entries to pass to <c>SessionOptions.AddSessionConfigEntry(key, value)</c> before creating a session
    /// from <see cref="ModelBytes"/>: <see cref="ExternalInitializersFolderConfigKey"/> = <see cref="ModelDirectory"/>
    /// when the model has external or referenced weights, nothing otherwise. ORT only reads that folder, so it may be
    /// read-only.
    /// </summary>
    public required IReadOnlyDictionary<string, string> SessionConfigEntries { get; init; }

    /// <summary>
    /// <see cref="ModelBytes"/> with every weight stored in <see cref="WeightFiles"/> read in: for a session that must not
    /// keep any of those files mapped (one could be replaced in place while it serves).
    /// </summary>
    /// <exception cref="OnnxModelException">A weight file changed since it was read, or no longer holds its bytes.</exception>
    public byte[] InlineModelBytes()
    {
        if (WeightFiles.Count == 0)
        {
            return ModelBytes;
        }

        ThrowIfFilesChanged();
        return WeightReferences.Inline(Model, ModelPath).ToByteArray();
    }

    /// <summary>
    /// Throws when one of <see cref="WeightFiles"/> is no longer the file that was read: the offsets of the weights in it
    /// would then point into another file. Call it once a session exists (ORT read them meanwhile).
    /// </summary>
    /// <exception cref="OnnxModelException">A weight file was replaced or rewritten since it was read.</exception>
    public void ThrowIfFilesChanged()
    {
        foreach (var (path, stamp) in WeightFiles)
        {
            var now = File.Exists(path) ? ModelFileStamp.Of(path) : null;
            if (now != stamp)
            {
                var what = path == ModelPath ? $"Model '{ModelPath}'" : $"External data file '{path}' of model '{ModelPath}'";
                throw new OnnxModelException(
                    $"{what} changed while it was loading ({Describe(stamp)} when read, {(now is null ? "gone" : Describe(now))} now); it loads once it stops changing.");
            }
        }
    }

    private static string Describe(ModelFileStamp stamp) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{stamp.Length} bytes, written {stamp.LastWriteUtc:O}");

    /// <summary>The model's single image input (float NCHW or NHWC).</summary>
    public required string InputName { get; init; }

    /// <summary>The input's dimensions [batch, 3, height, width] (NHWC: [batch, height, width, 3]); null where a dimension is symbolic.</summary>
    public required long?[] InputDimensions { get; init; }

    /// <summary>True: NHWC. False: NCHW. Null: the shape does not tell (e.g. [N, 3, 3, 3] or all symbolic) and no layout was configured.</summary>
    public bool? InputChannelsLast { get; init; }

    /// <summary>The batch size the model is fixed to (e.g. 1), or null when the batch dimension is symbolic.</summary>
    public int? FixedBatchSize => InputDimensions[0] is { } batch ? (int)batch : null;

    /// <summary>The model's own first output when it is a classifier's logits; null for a feature extractor.</summary>
    public required string? LogitsOutputName { get; init; }

    /// <summary>The number of logits per image when the output's shape declares it.</summary>
    public required int? LogitsWidth { get; init; }

    /// <summary>The graph output that carries the embedding, or null when none was found.</summary>
    public required string? EmbeddingOutputName { get; init; }

    /// <summary>The embedding's width (from the classifier weight's shape, or the tensor's declared shape).</summary>
    public required int? EmbeddingWidth { get; init; }

    /// <summary>Why the model serves no embedding, when <see cref="EmbeddingOutputName"/> is null.</summary>
    public string? EmbeddingUnavailableReason { get; init; }

    /// <summary>The initializer holding the classifier weight (the Gemm/MatMul fed by the embedding), when known.</summary>
    public required string? ClassifierWeightName { get; init; }

    /// <summary>The initializer holding the classifier bias, when there is one.</summary>
    public required string? ClassifierBiasName { get; init; }

    /// <summary>
    /// True when the weight is stored [classes, width] and applied transposed (Gemm transB = 1, as torch
    /// exports Linear): logits = embedding · Wᵀ + b. False: stored [width, classes], logits = embedding · W + b.
    /// </summary>
    public required bool ClassifierWeightTransposed { get; init; }
}

/// <summary>Gives back the memory that preparing models leaves behind once their sessions exist.</summary>
public static class PreparationMemory
{
    /// <summary>
    /// One blocking, compacting, decommitting full collection. A <see cref="PreparedModel"/> holds the weights twice
    /// (parsed, and serialised for ORT), almost all on the large-object heap, and is garbage as soon as the session
    /// exists; but nothing after start-up allocates enough to trigger a full collection, so that memory stayed
    /// committed (resnet18: 140 MB of RSS; five models: 373 MB). Call once after a round of loading, not per request.
    /// </summary>
    /// <remarks>
    /// On glibc it then trims the native heap: a disposed session's memory (ORT's arenas, its parsed graph) goes back
    /// to glibc's free lists, which keep it in the process unless asked (bench/swap.sh: RSS 442 MiB before a resnet18
    /// swap, 521 MiB after it with the collection alone).
    /// </remarks>
    public static void Release()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux())
        {
            try
            {
                _ = MallocTrim(0);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                // Not glibc (musl has no malloc_trim): nothing to trim with.
            }
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
