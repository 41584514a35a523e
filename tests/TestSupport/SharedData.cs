namespace Inference.TestSupport;

/// <summary>
/// Locates the read-only reference data in <c>../shared</c> beside the repository root.
/// CI has it; where it is absent, tests that need it skip with <see cref="MissingReason"/>.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> LazyRoot = new(Locate);

    /// <summary>The <c>shared</c> folder, or null when it is not present.</summary>
    public static string? Root => LazyRoot.Value;

    public static string MissingReason =>
        "../shared (beside the repository root) is not present; it holds the reference data for this test. " +
        "Set INFERENCE_SHARED_DIR to its path to run it.";

    public static string? Fidelity => Root is null ? null : Path.Combine(Root, "fidelity");

    public static string? Models => Root is null ? null : Path.Combine(Root, "models");

    /// <summary>The repository root (the folder holding Inference.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string? Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("INFERENCE_SHARED_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment) && Directory.Exists(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        var candidate = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
        return Directory.Exists(Path.Combine(candidate, "fidelity")) ? candidate : null;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Inference.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Inference.sln not found above " + AppContext.BaseDirectory);
    }
}
