namespace Inference.Engine.Tests.Support;

/// <summary>Test classes sharing one loaded <see cref="EngineFixture"/>; they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "Engine";
}
