namespace Inference.Api.Tests.Observability.Support;

/// <summary>
/// Tests that start and stop services of their own. Not run in parallel with anything, and never while the shared
/// <see cref="ObservedService"/> is measured: OpenTelemetry's listeners are process-wide, and disposing one
/// service's meters stops the streams of same-named meters in every other live provider.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OwnServiceTests
{
    public const string Name = "observability-own-service";
}
