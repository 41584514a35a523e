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

    /// <summary>The models to load at start-up (folder names in the repository).</summary>
    [MinLength(1)]
    public IList<string> Models { get; set; } = [];

    /// <summary>Stop the process (exit code 1) when a configured model fails to load, instead of staying unready.</summary>
    public bool StopOnModelLoadFailure { get; set; } = true;

    /// <summary>Where generated demo weights are cached (must be writable).</summary>
    [Required(AllowEmptyStrings = false)]
    public string DemoWeightsCache { get; set; } = Path.Combine(Path.GetTempPath(), "inference-demo-weights");

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
    /// Queue budget: a request whose estimated wait (queued requests x recent compute time per image) is longer is
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

        var invalid = options.Models.Where(m => !ModelRepository.IsValidName(m)).ToArray();
        return invalid.Length == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Inference:Models holds invalid model name(s): {string.Join(", ", invalid.Select(m => $"'{m}'"))}.");
    }
}
