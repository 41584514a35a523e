namespace Inference.Engine.Models;

/// <summary>The models this service knows about, with their current state.</summary>
public interface IModelCatalog
{
    IReadOnlyList<ModelDescriptor> List();

    /// <summary>The model by name (case-sensitive), or null.</summary>
    ModelDescriptor? Find(string name);

    /// <summary>True once every configured model is ready.</summary>
    bool AllReady { get; }
}

public enum ModelState
{
    Loading,
    Ready,
    Failed,
    Draining,
}
