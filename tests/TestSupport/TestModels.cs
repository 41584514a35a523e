using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Inference.Onnx.ResNet;

namespace Inference.TestSupport;

/// <summary>
/// Seeded ResNet models for tests, built once per machine into a cache under the temp folder
/// (<c>inference-test-models/&lt;builder version hash&gt;/resnetNN/model.onnx</c>) and reused by every
/// later test run. Safe for concurrent test processes: a lock file serializes the builders and the
/// file appears atomically (written to a temporary name, then renamed).
/// </summary>
public static class TestModels
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Built = new();

    /// <summary>The cache folder for the current builder version.</summary>
    public static string CacheDirectory { get; } = Path.Combine(
        Path.GetTempPath(), "inference-test-models", VersionHash());

    /// <summary>The path of the default ResNet of <paramref name="depth"/> (seed 0, 1000 classes, symbolic batch, 224).</summary>
    public static string GetResNet(int depth) => GetResNet(new ResNetSpec(depth));

    /// <summary>The path of a model built from <paramref name="spec"/>, built on first use.</summary>
    public static string GetResNet(ResNetSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var folder = FolderName(spec);
        return Built.GetOrAdd(folder, _ => new Lazy<string>(() => BuildOnce(spec, folder))).Value;
    }

    private static string BuildOnce(ResNetSpec spec, string folder)
    {
        var path = Path.Combine(CacheDirectory, folder, "model.onnx");
        if (File.Exists(path))
        {
            return path;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (AcquireLock(path + ".lock"))
        {
            if (!File.Exists(path))
            {
                ResNetBuilder.Write(spec, path);
            }
        }

        return path;
    }

    private static FileStream AcquireLock(string lockPath)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
            }
        }
    }

    private static string FolderName(ResNetSpec spec)
    {
        var isDefault = spec == new ResNetSpec(spec.Depth);
        return isDefault
            ? $"resnet{spec.Depth}"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"resnet{spec.Depth}-seed{spec.Seed}-c{spec.NumClasses}-s{spec.InputSize}-b{spec.BatchSize?.ToString(CultureInfo.InvariantCulture) ?? "dyn"}-{Hash(spec.InputName + "\n" + spec.OutputName)}");
    }

    private static string VersionHash() => Hash(ResNetBuilder.WeightsVersion);

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
}
