namespace Inference.Api.Tests.Support;

/// <summary>Tests that share one loaded service; xunit runs a collection's tests one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ServiceTests : ICollectionFixture<ServiceFixture>
{
    public const string Name = "service";
}
