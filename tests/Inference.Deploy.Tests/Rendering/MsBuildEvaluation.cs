using System.Diagnostics;
using System.Text.Json.Nodes;
using Inference.TestSupport;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>
/// Asks MSBuild what a project of src/ would restore, without restoring: <c>-getItem</c> evaluates the project
/// alone, and the GenerateRestoreGraphFile target writes the restore graph (the project and everything it
/// references, each with its PackageReferences) to a file of ours. Neither writes the projects' obj/ folders.
/// </summary>
internal static class MsBuildEvaluation
{
    /// <summary>The evaluated items of the given types, by type (<c>-getItem</c>'s JSON "Items" object).</summary>
    public static JsonObject Items(string project, bool useCuda, params string[] itemTypes)
    {
        var arguments = new List<string> { "msbuild", ProjectPath(project), "-nologo" };
        arguments.AddRange(itemTypes.Select(t => $"-getItem:{t}"));
        AddUseCuda(arguments, useCuda);
        var output = Run(arguments);
        var items = JsonNode.Parse(output)?["Items"] as JsonObject;
        Assert.True(items is not null, $"dotnet msbuild -getItem printed no Items: {output}");
        return items;
    }

    /// <summary>The restore graph (NuGet's dgspec JSON: "restore" and "projects") of a project and its references.</summary>
    public static JsonObject RestoreGraph(string project, bool useCuda)
    {
        var file = Path.Combine(Path.GetTempPath(), $"deploy-tests-{Guid.NewGuid():N}.dg.json");
        try
        {
            var arguments = new List<string>
            {
                "msbuild", ProjectPath(project), "-nologo", "-verbosity:quiet", "-maxCpuCount:1", "-nodeReuse:false",
                "-target:GenerateRestoreGraphFile", $"-property:RestoreGraphOutputPath={file}",
            };
            AddUseCuda(arguments, useCuda);
            Run(arguments);
            Assert.True(File.Exists(file), $"GenerateRestoreGraphFile wrote no {file}");
            return JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string ProjectPath(string project) => Path.Combine(SharedData.RepositoryRoot, project);

    /// <summary>Without UseCuda the property is left out, so the default of Directory.Build.props is what is checked.</summary>
    private static void AddUseCuda(List<string> arguments, bool useCuda)
    {
        if (useCuda)
        {
            arguments.Add("-property:UseCuda=true");
        }
    }

    /// <summary>
    /// <c>dotnet</c> with <paramref name="arguments"/> in the repository root, output redirected, without a UseCuda from
    /// the test's environment (MSBuild reads environment variables as properties: it must not decide the answer) and
    /// without the MSBuild server.
    /// </summary>
    public static ProcessStartInfo Dotnet(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = SharedData.RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in info.Environment.Keys.Where(k => string.Equals(k, "UseCuda", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        return info;
    }

    private static string Run(IReadOnlyList<string> arguments)
    {
        using var process = Process.Start(Dotnet(arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}{output.Result}");
        return output.Result;
    }
}
