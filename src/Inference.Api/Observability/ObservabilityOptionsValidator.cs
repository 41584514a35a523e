using Microsoft.Extensions.Options;

namespace Inference.Api.Observability;

[OptionsValidator]
internal sealed partial class ObservabilityOptionsValidator : IValidateOptions<ObservabilityOptions>;
