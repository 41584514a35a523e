namespace Inference.Api.Tests.Observability.Support;

/// <summary>
/// Tests over the shared <see cref="ObservedService"/>. Not run in parallel with other collections: metric
/// listeners are process-wide, and exact counts must not see other services' traffic.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ObservabilityTests : ICollectionFixture<ObservedService>
{
    public const string Name = "observability";
}
