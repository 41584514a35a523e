namespace Inference.Container.Tests.Infrastructure;

/// <summary>Tests that share one running service container.</summary>
[CollectionDefinition(Name)]
public sealed class RunningServiceCollection : ICollectionFixture<RunningServiceFixture>
{
    public const string Name = "running service";
}
