using Inference.Engine.Models;
using Microsoft.Extensions.Options;

namespace Inference.Engine.Configuration;

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
