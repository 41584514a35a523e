using Inference.Engine.Configuration;
using Inference.Engine.Tests.Support;

namespace Inference.Engine.Tests.Configuration;

public sealed class VersionPolicyTests
{
    [Theory]
    [InlineData("""{ "latest": 1 }""", new long[] { 3 })]
    [InlineData("""{ "latest": 2 }""", new long[] { 2, 3 })]
    [InlineData("""{ "latest": 9 }""", new long[] { 1, 2, 3 })]
    [InlineData("""{ "specific": [1, 3, 7] }""", new long[] { 1, 3 })]
    [InlineData("\"all\"", new long[] { 1, 2, 3 })]
    public void Select_TritonPolicies_ServeTheRightVersions(string json, long[] expected)
    {
        using var directory = new TempDirectory();
        directory.Write("config.json", $$"""{ "versionPolicy": {{json}} }""");

        var policy = ModelConfigLoader.Load(directory.PathOf("config.json")).VersionPolicy;

        Assert.Equal(expected, policy.Select([3, 1, 2]));
    }

    [Fact]
    public void Default_NoVersionPolicy_LatestOne()
    {
        Assert.Equal(1, ModelConfig.Default.VersionPolicy.Latest);
        Assert.Equal([5], ModelConfig.Default.VersionPolicy.Select([2, 5, 4]));
    }

    [Theory]
    [InlineData("""{ "latest": 0 }""")]
    [InlineData("""{ "latest": "2" }""")]
    [InlineData("""{ "specific": [] }""")]
    [InlineData("""{ "specific": [-1] }""")]
    [InlineData("""{ "newest": 1 }""")]
    [InlineData("""{ "latest": 1, "specific": [1] }""")]
    [InlineData("\"some\"")]
    public void Load_InvalidVersionPolicy_FailsNamingTheKey(string json)
    {
        using var directory = new TempDirectory();
        directory.Write("config.json", $$"""{ "versionPolicy": {{json}} }""");

        var error = Assert.Throws<ModelConfigException>(() => ModelConfigLoader.Load(directory.PathOf("config.json")));

        Assert.Contains("versionPolicy", error.Message, StringComparison.Ordinal);
    }
}
