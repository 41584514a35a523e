namespace Inference.Engine.Models;

/// <summary>The models this service knows about, with their current state.</summary>
public interface IModelCatalog
{
    IReadOnlyList<ModelDescriptor> List();

    /// <summary>The model by name (case-sensitive), or null.</summary>
    ModelDescriptor? Find(string name);

    /// <summary>True once every configured model is ready.</summary>
    bool AllReady { get; }

    /// <summary>The versions of <paramref name="name"/> that serve now, ascending (the last one answers requests that name none).</summary>
    IReadOnlyList<ModelDescriptor> Versions(string name) => Find(name) is { State: ModelState.Ready } model ? [model] : [];

    /// <summary>Version <paramref name="version"/> of <paramref name="name"/> if it serves now, else null.</summary>
    ModelDescriptor? Find(string name, string version) => Versions(name).FirstOrDefault(m => m.Version == version);
}

public enum ModelState
{
    Loading,
    Ready,
    Failed,
    Draining,

    /// <summary>Unloaded through the repository API, or its folder was removed; no version serves.</summary>
    Unloaded,
}
