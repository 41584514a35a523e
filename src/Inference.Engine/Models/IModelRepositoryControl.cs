using Inference.Engine.Configuration;

namespace Inference.Engine.Models;

/// <summary>
/// The model repository as the Open Inference Protocol's repository extension sees it: what is in it and in which
/// state, and loading or unloading a model while the service runs (the versions its policy names load beside those
/// serving; routing switches when they are ready; the old ones finish their requests and are disposed).
/// </summary>
public interface IModelRepositoryControl
{
    ModelControlMode Mode { get; }

    /// <summary>ONNX Runtime sessions alive in the engine now.</summary>
    int LiveSessions { get; }

    /// <summary>Every model of the repository, one entry per version it knows a state of (Triton's index).</summary>
    IReadOnlyList<RepositoryIndexEntry> Index(bool readyOnly);

    /// <summary>Loads (or reloads) <paramref name="name"/> from its folder; old versions serve until new ones are ready.</summary>
    /// <exception cref="ModelControlException">No such folder, an invalid name, or a version failed to load (the old one still serves).</exception>
    Task LoadAsync(string name, CancellationToken cancellationToken);

    /// <summary>Unloads every version of <paramref name="name"/> once its accepted requests are answered.</summary>
    /// <exception cref="ModelControlException">Not loaded, or refused in <c>poll</c> mode (the repository decides there).</exception>
    Task UnloadAsync(string name, CancellationToken cancellationToken);
}

/// <summary>One entry of the repository index: a model version and its state (READY, LOADING, UNAVAILABLE) with the reason.</summary>
public sealed record RepositoryIndexEntry(string Name, string Version, string State, string Reason);

/// <summary>Why a repository request was refused; its message is safe to show the client (no absolute path).</summary>
public sealed class ModelControlException(ModelControlError error, string message) : Exception(message)
{
    public ModelControlError Error { get; } = error;
}

public enum ModelControlError
{
    /// <summary>No such model folder, or the model is not loaded (404, NOT_FOUND).</summary>
    NotFound,

    /// <summary>A name that is not a plain folder name (400, INVALID_ARGUMENT).</summary>
    InvalidName,

    /// <summary>A version failed to load; the versions serving before still serve (400, INVALID_ARGUMENT as Triton).</summary>
    LoadFailed,

    /// <summary>Not in this mode (unload under <c>poll</c>) (400, FAILED_PRECONDITION).</summary>
    NotAllowed,
}

/// <summary>The model states of the repository index, as Triton names them.</summary>
public static class IndexStates
{
    public const string Ready = "READY";
    public const string Loading = "LOADING";
    public const string Unavailable = "UNAVAILABLE";
    public const string Unloading = "UNLOADING";
}
