using Microsoft.Extensions.Options;

namespace Inference.Engine.Configuration;

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
