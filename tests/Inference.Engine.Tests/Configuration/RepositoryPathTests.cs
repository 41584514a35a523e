using Inference.Engine.Configuration;
using Inference.Engine.Tests.Support;

namespace Inference.Engine.Tests.Configuration;

public sealed class RepositoryPathTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public void Resolve_AbsolutePath_ReturnedAsIs()
    {
        var absolute = _directory.PathOf("elsewhere", "models");

        Assert.Equal(absolute, RepositoryPath.Resolve(_directory.PathOf("app"), absolute));
    }

    [Fact]
    public void Resolve_RelativeUnderContentRoot_UsesContentRoot()
    {
        Directory.CreateDirectory(_directory.PathOf("app", "models"));
        Directory.CreateDirectory(_directory.PathOf("models"));

        Assert.Equal(_directory.PathOf("app", "models"), RepositoryPath.Resolve(_directory.PathOf("app"), "models"));
    }

    [Fact]
    public void Resolve_RelativeOnlyInAncestor_UsesNearestAncestor()
    {
        var contentRoot = Directory.CreateDirectory(_directory.PathOf("src", "Inference.Api")).FullName;
        Directory.CreateDirectory(_directory.PathOf("models"));

        Assert.Equal(_directory.PathOf("models"), RepositoryPath.Resolve(contentRoot, "models"));
    }

    [Fact]
    public void Resolve_RelativeNowhere_FallsBackUnderContentRoot()
    {
        var contentRoot = Directory.CreateDirectory(_directory.PathOf("app")).FullName;
        var missing = "no-such-repository-" + Guid.NewGuid().ToString("N");

        Assert.Equal(Path.Combine(contentRoot, missing), RepositoryPath.Resolve(contentRoot, missing));
    }

    public void Dispose() => _directory.Dispose();
}
