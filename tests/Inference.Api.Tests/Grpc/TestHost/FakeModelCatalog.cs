using Inference.Engine.Models;

namespace Inference.Api.Tests.Grpc.TestHost;

/// <summary>A catalog whose models tests can replace (e.g. to mark one not ready).</summary>
internal sealed class FakeModelCatalog : IModelCatalog
{
    private volatile IReadOnlyList<ModelDescriptor> _models;

    public FakeModelCatalog(IReadOnlyList<ModelDescriptor> models) => _models = models;

    public bool AllReady => _models.All(static m => m.State == ModelState.Ready);

    public IReadOnlyList<ModelDescriptor> List() => _models;

    public ModelDescriptor? Find(string name) => _models.FirstOrDefault(m => m.Name == name);

    public void Set(IReadOnlyList<ModelDescriptor> models) => _models = models;
}
