using Microsoft.Extensions.Options;

namespace Inference.Api.Observability.Lifecycle;

[OptionsValidator]
internal sealed partial class LifecycleOptionsValidator : IValidateOptions<LifecycleOptions>;
