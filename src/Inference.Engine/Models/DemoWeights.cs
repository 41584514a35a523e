using System.Diagnostics;
using Inference.Engine.Configuration;
using Inference.Engine.Logging;
using Inference.Onnx.ResNet;
using Microsoft.Extensions.Logging;

namespace Inference.Engine.Models;

/// <summary>
/// Generates seeded torchvision-topology ResNet weights once per (architecture, seed) and caches them,
/// so a fresh clone serves something. Their predictions are meaningless, and the service says so.
/// </summary>
internal sealed class DemoWeights(string cacheRoot, ILogger logger)
{
    /// <summary>Bump when the builder's output changes, so stale caches are not reused.</summary>
    private const string BuilderRevision = "r1";

    /// <summary>One generation per file at a time: models load in parallel and may share an architecture and seed.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, object> Generating = new(StringComparer.Ordinal);

    public string GetOrCreate(string architecture, ulong seed)
    {
        if (!ResNetArchitectures.TryGetDepth(architecture, out var depth))
        {
            throw new ModelConfigException($"'{architecture}' is not an architecture the demo-weights builder knows.");
        }

        var directory = Path.Combine(Path.GetFullPath(cacheRoot), $"{architecture.ToLowerInvariant()}-seed{seed}-{BuilderRevision}");
        var path = Path.Combine(directory, ModelRepository.ModelFileName);
        if (File.Exists(path))
        {
            return path;
        }

        lock (Generating.GetOrAdd(path, static _ => new object()))
        {
            return File.Exists(path) ? path : Generate(architecture, depth, seed, directory, path);
        }
    }

    private string Generate(string architecture, int depth, ulong seed, string directory, string path)
    {
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Guid.NewGuid():N}.tmp");
        var started = Stopwatch.GetTimestamp();
        try
        {
            ResNetBuilder.Write(new ResNetSpec(depth) { Seed = seed }, temporary);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        EngineLog.DemoWeightsGenerated(logger, architecture, Stopwatch.GetElapsedTime(started).TotalSeconds, path);
        return path;
    }
}
