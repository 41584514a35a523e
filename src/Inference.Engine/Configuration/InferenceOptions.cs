using System.ComponentModel.DataAnnotations;
using Inference.Engine.Models;
using Inference.Preprocessing;
using Microsoft.Extensions.Options;

namespace Inference.Engine.Configuration;

/// <summary>The <c>Inference</c> configuration section.</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    /// <summary>Folder of <c>&lt;name&gt;/[&lt;version&gt;/]model.onnx</c>; relative paths are under the content root.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ModelRepository { get; set; } = "models";

    /// <summary>The models to load at start-up (folder names in the repository); <c>["*"]</c> serves every model folder.</summary>
    [MinLength(1)]
    public IList<string> Models { get; set; } = [];

    /// <summary>Stop the process (exit code 1) when a configured model fails to load, instead of staying unready.</summary>
    public bool StopOnModelLoadFailure { get; set; } = true;

    /// <summary>
    /// How the model set changes while the service runs: <c>none</c> (fixed at start-up), <c>explicit</c> (the Open
    /// Inference Protocol's repository API loads and unloads) or <c>poll</c> (the repository is rescanned every
    /// <see cref="RepositoryPollInterval"/>). With <c>explicit</c> or <c>poll</c>, <see cref="AdminApiKey"/> is required.
    /// </summary>
    [EnumDataType(typeof(ModelControlMode))]
    public ModelControlMode ModelControl { get; set; } = ModelControlMode.None;

    /// <summary>How often <c>poll</c> rescans the repository.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan RepositoryPollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The bearer key of the repository API's load and unload (compared in constant time).</summary>
    public string? AdminApiKey { get; set; }

    /// <summary>
    /// Models loaded at once at start-up; 0 means min(cores, 4). Preparing a graph (protobuf parse and rewrite) is
    /// single-threaded, so up to one load per core overlaps usefully; each load in flight holds about twice its model's
    /// bytes on the heap, so at most 4 bound the start-up memory peak (warm-ups still take turns on the compute gate).
    /// </summary>
    [Range(0, 64)]
    public int MaxParallelModelLoads { get; set; }

    /// <summary>Where generated demo weights are cached (must be writable).</summary>
    [Required(AllowEmptyStrings = false)]
    public string DemoWeightsCache { get; set; } = Path.Combine(Path.GetTempPath(), "inference-demo-weights");

    /// <summary>
    /// Where a model quantized at load (config.json <c>"precision": "int8"</c> with <c>"calibration"</c>) is cached when its
    /// own folder cannot be written (a read-only mount), in <c>&lt;name&gt;/&lt;version&gt;/</c>; the folder beside the model is tried first.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string QuantizationCacheDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "inference-int8-cache");

    public ExecutionProviderKind ExecutionProvider { get; set; } = ExecutionProviderKind.Auto;

    /// <summary>
    /// Image decoder for models whose config.json names none: auto (Skia, ImageSharp for TIFF), skia or imagesharp.
    /// </summary>
    [EnumDataType(typeof(ImageDecoderKind))]
    public ImageDecoderKind Decoder { get; set; } = ImageDecoderKind.Auto;

    /// <summary>CUDA device ordinal.</summary>
    [Range(0, 64)]
    public int GpuDeviceId { get; set; }

    /// <summary>ONNX Runtime intra-op threads per run; 0 means the machine's core count.</summary>
    [Range(0, 1024)]
    public int IntraOpThreads { get; set; }

    /// <summary>Longest a request may take, queue included; clients may ask for less.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Queue budget: a request whose estimated wait ((queued + running requests) x recent drain time per image) is longer is
    /// refused at once with 429 and Retry-After instead of queueing. A model's config.json may set its own
    /// (<c>maxQueueWaitMs</c>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a graceful drain may take on SIGTERM before queued work is dropped.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest accepted request body and encoded image.</summary>
    [Range(1024L, 1L << 31)]
    public long MaxImageBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Largest decoded image, in pixels (checked from the header before decoding).</summary>
    [Range(1L, 1L << 34)]
    public long MaxImagePixels { get; set; } = 64L * 1024 * 1024;

    /// <summary>Largest decoded width or height.</summary>
    [Range(1, 1 << 20)]
    public int MaxImageDimension { get; set; } = 16384;
}

/// <summary>Source-generated validation: a bad setting fails start-up with a message naming the key.</summary>
[OptionsValidator]
public sealed partial class InferenceOptionsValidator : IValidateOptions<InferenceOptions>;

public enum ModelControlMode
{
    /// <summary>The models of <c>Inference:Models</c> load at start-up; nothing changes until a restart.</summary>
    None,

    /// <summary>The repository API (<c>/v2/repository/...</c>, gRPC Repository*) loads and unloads models.</summary>
    Explicit,

    /// <summary>The repository is rescanned every <c>Inference:RepositoryPollInterval</c> and changes applied.</summary>
    Poll,
}

public enum ExecutionProviderKind
{
    /// <summary>CUDA if it loads, else CPU; the log says which and why.</summary>
    Auto,

    /// <summary>CUDA or fail at start-up.</summary>
    Cuda,

    Cpu,
}

/// <summary>
/// Runs the source-generated <see cref="InferenceOptionsValidator"/> and words its failures with the
/// configuration key an operator sets (<c>Inference:RequestTimeout</c>), not the C# member name.
/// </summary>
internal sealed class ConfigurationKeyValidator : IValidateOptions<InferenceOptions>
{
    private readonly InferenceOptionsValidator _generated = new();

    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        var result = _generated.Validate(name, options);
        return result.Failed
            ? ValidateOptionsResult.Fail(result.Failures!.Select(f => f.Replace(
                nameof(InferenceOptions) + ".", InferenceOptions.SectionName + ":", StringComparison.Ordinal)))
            : result;
    }
}

/// <summary>Checks the model list: at least one, each a valid folder name.</summary>
internal sealed class ModelNamesValidator : IValidateOptions<InferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        if (options.Models.Count == 0)
        {
            return ValidateOptionsResult.Fail("Inference:Models is empty: name at least one model folder of the repository (e.g. Inference:Models:0=resnet18).");
        }

        if (options.Models.Contains(Configuration.ModelNames.All) && options.Models.Count != 1)
        {
            return ValidateOptionsResult.Fail("Inference:Models holds \"*\" beside other names: use [\"*\"] alone (every model folder) or list the names.");
        }

        var invalid = options.Models.Where(m => m != Configuration.ModelNames.All && !ModelRepository.IsValidName(m)).ToArray();
        return invalid.Length == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Inference:Models holds invalid model name(s): {string.Join(", ", invalid.Select(m => $"'{m}'"))}.");
    }
}

/// <summary>The one wildcard of <c>Inference:Models</c>.</summary>
public static class ModelNames
{
    /// <summary><c>["*"]</c>: every model folder of the repository (and, under <c>poll</c>, folders added later).</summary>
    public const string All = "*";
}

/// <summary>Model control needs an admin key: with <c>explicit</c> or <c>poll</c> and no key, start-up fails and says so.</summary>
internal sealed class ModelControlValidator : IValidateOptions<InferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, InferenceOptions options) =>
        options.ModelControl != ModelControlMode.None && string.IsNullOrWhiteSpace(options.AdminApiKey)
            ? ValidateOptionsResult.Fail(
                $"Inference:AdminApiKey is not set: Inference:ModelControl '{options.ModelControl.ToString().ToLowerInvariant()}' turns on the model " +
                "repository API, whose load and unload need that key (Authorization: Bearer <key>). Set Inference:AdminApiKey, or Inference:ModelControl to 'none'.")
            : ValidateOptionsResult.Success;
}
