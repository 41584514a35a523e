using Inference.Engine.Configuration;
using Inference.Engine.Logging;
using Inference.Onnx;
using Inference.Onnx.Preparation;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Runtime;

/// <summary>Creates one <see cref="InferenceSession"/> per model on the configured execution provider.</summary>
internal sealed class SessionFactory(InferenceOptions options, ILogger logger)
{
    public int IntraOpThreads { get; } = options.IntraOpThreads > 0 ? options.IntraOpThreads : Environment.ProcessorCount;

    /// <summary>The session, and "CUDA" or "CPU".</summary>
    public (InferenceSession Session, string Provider) Create(string model, PreparedModel prepared)
    {
        OrtLogging.EnsureRouted(logger);
        switch (options.ExecutionProvider)
        {
            case ExecutionProviderKind.Cpu:
                EngineLog.ProviderChosen(logger, model, "CPU", "configured: Inference:ExecutionProvider=cpu");
                return (CreateSession(prepared, useCuda: false), "CPU");

            case ExecutionProviderKind.Cuda:
                try
                {
                    var session = CreateSession(prepared, useCuda: true);
                    EngineLog.ProviderChosen(logger, model, "CUDA", $"configured: Inference:ExecutionProvider=cuda, device {options.GpuDeviceId}");
                    return (session, "CUDA");
                }
                catch (Exception e) when (IsCudaUnavailable(e))
                {
                    throw new InvalidOperationException(
                        $"Inference:ExecutionProvider is 'cuda' but CUDA could not be loaded for model '{model}': {Reason(e)}. " +
                        "Use a GPU build (-p:UseCuda=true) on a machine with an NVIDIA driver, CUDA and cuDNN, or set it to 'auto' or 'cpu'.", e);
                }

            default:
                try
                {
                    var session = CreateSession(prepared, useCuda: true);
                    EngineLog.ProviderChosen(logger, model, "CUDA", $"auto: CUDA loaded on device {options.GpuDeviceId}");
                    return (session, "CUDA");
                }
                catch (Exception e) when (IsCudaUnavailable(e))
                {
                    EngineLog.CudaFallback(logger, model, Reason(e));
                    EngineLog.ProviderChosen(logger, model, "CPU", "auto: CUDA unavailable");
                    return (CreateSession(prepared, useCuda: false), "CPU");
                }
        }
    }

    private InferenceSession CreateSession(PreparedModel prepared, bool useCuda)
    {
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = 1,
        };

        // No spin-waiting in ORT's intra-op pool between parallel sections: request threads preprocess on the same cores.
        // Engine in-process, resnet18, c8, 2 shared cores, interleaved: 82.6/86.0 -> 68.0/66.1 ms CPU per image,
        // 3.5/3.6 -> 4.1/4.5 img/s (bench/README, issue 16).
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        foreach (var (key, value) in prepared.SessionConfigEntries)
        {
            sessionOptions.AddSessionConfigEntry(key, value);
        }

        if (useCuda)
        {
            sessionOptions.AppendExecutionProvider_CUDA(options.GpuDeviceId);
        }

        try
        {
            // ORT maps the weights of the files it reads them from (the model file's referenced weights, the export's data
            // files). Where it keeps a mapping after loading, replacing such a file in place (a plain cp over it) would crash
            // the process (SIGBUS) the next time a run touched it: load it again with the weights read in. Windows refuses to
            // truncate a mapped file; elsewhere there is no way to look.
            var weightFiles = prepared.WeightFiles.Keys.ToList();
            if (weightFiles.Count > 0 && !OperatingSystem.IsLinux() && !OperatingSystem.IsWindows() && prepared.CanInline)
            {
                return new InferenceSession(prepared.InlineModelBytes(), sessionOptions);
            }

            var session = new InferenceSession(prepared.ModelBytes, sessionOptions);
            string? kept;
            try
            {
                prepared.ThrowIfFilesChanged();
                kept = OperatingSystem.IsLinux() ? FileMappings.Describe(weightFiles) : null;
            }
            catch
            {
                session.Dispose();
                throw;
            }

            if (kept is null)
            {
                return session;
            }

            if (!prepared.CanInline)
            {
                EngineLog.WeightsMappedTooLargeToReadIn(logger, kept);
                return session;
            }

            session.Dispose();
            EngineLog.WeightsStillMapped(logger, kept);
            return new InferenceSession(prepared.InlineModelBytes(), sessionOptions);
        }
        catch (OnnxRuntimeException e) when (!useCuda)
        {
            throw new OnnxModelException(
                $"Model '{prepared.ModelPath}' (input '{prepared.InputName}' [{string.Join(", ", prepared.InputDimensions.Select(d => d?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"))}]): " +
                $"ONNX Runtime could not create a session: {e.Message}", e);
        }
    }

    /// <summary>
    /// The CPU package has no CUDA entry point at all; the GPU package throws when the CUDA or cuDNN
    /// libraries or a device are missing.
    /// </summary>
    private static bool IsCudaUnavailable(Exception e) =>
        e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException;

    private static string Reason(Exception e) => e is EntryPointNotFoundException
        ? "this build uses the CPU-only ONNX Runtime package (publish with -p:UseCuda=true for CUDA)"
        : FirstLine(e.Message);

    private static string FirstLine(string message)
    {
        var newline = message.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? message : message[..newline];
    }
}

/// <summary>What this process has mapped of a file, from <c>/proc/self/maps</c> (Linux).</summary>
internal static class FileMappings
{
    /// <summary>
    /// The files of <paramref name="paths"/> this process maps, each with its number of mappings ("model.onnx.data: 5
    /// mappings"), or null when it maps none of them.
    /// </summary>
    public static string? Describe(IEnumerable<string> paths)
    {
        var mapped = paths
            .Select(path => (path, Count: Count(path)))
            .Where(file => file.Count != 0)
            .Select(file => $"{file.path}: {(file.Count is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) + " mapping(s)" : "unknown (/proc/self/maps unreadable)")}")
            .ToList();
        return mapped.Count == 0 ? null : string.Join("; ", mapped);
    }

    /// <summary>
    /// The number of mappings of <paramref name="path"/> (resolved as the kernel names it) this process holds; null when
    /// it cannot be told.
    /// </summary>
    public static int? Count(string path)
    {
        try
        {
            return Count(KernelPath(path), File.ReadLines("/proc/self/maps"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int Count(string name, IEnumerable<string> maps)
    {
        var count = 0;
        foreach (var line in maps)
        {
            // address perms offset dev inode path: the path is the first field that holds a '/'.
            var slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0 && (line.AsSpan(slash).SequenceEqual(name) || line.AsSpan(slash).SequenceEqual(name + " (deleted)")))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The path with every symbolic link resolved, as <c>/proc/self/maps</c> shows it.</summary>
    private static string KernelPath(string path)
    {
        using var handle = File.OpenHandle(path);
        var descriptor = $"/proc/self/fd/{handle.DangerousGetHandle()}";
        return new FileInfo(descriptor).LinkTarget ?? Path.GetFullPath(path);
    }
}
