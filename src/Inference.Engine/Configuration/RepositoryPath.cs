namespace Inference.Engine.Configuration;

/// <summary>Resolves the model repository path against the content root.</summary>
internal static class RepositoryPath
{
    /// <summary>
    /// An absolute path as is; a relative one under the content root, or, when it is not there, under the
    /// nearest ancestor that has it (so <c>dotnet run --project src/Inference.Api</c> finds the repo's models/).
    /// </summary>
    public static string Resolve(string contentRoot, string configured)
    {
        if (Path.IsPathRooted(configured))
        {
            return configured;
        }

        for (var directory = new DirectoryInfo(contentRoot); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, configured);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.Combine(contentRoot, configured);
    }
}
