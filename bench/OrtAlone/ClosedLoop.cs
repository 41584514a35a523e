using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Bench.OrtAlone;

/// <summary>What one bounded run measured: forward passes, images, the latency of each pass, and the process's CPU time.</summary>
internal sealed record RunResult(int Batch, int Concurrency, TimeSpan Elapsed, long Runs, double[] LatenciesMs, TimeSpan Cpu)
{
    /// <summary>CPU time (all threads, user + system) per image in the measured window.</summary>
    public double CpuMsPerImage => Cpu.TotalMilliseconds / Math.Max(1, Images);

    public long Images => Runs * Batch;

    public double ImagesPerSecond => Images / Elapsed.TotalSeconds;

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
        {
            return double.NaN;
        }

        var sorted = LatenciesMs.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}

/// <summary>
/// <c>concurrency</c> dedicated threads, each calling <see cref="InferenceSession.Run(RunOptions, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue}, IReadOnlyCollection{string}, IReadOnlyCollection{OrtValue})"/>
/// on batches of <c>batch</c> images from its own pinned buffers, back to back, for a warm-up and then the measured
/// time. Stops by itself.
/// </summary>
internal static class ClosedLoop
{
    /// <param name="prepare">When set, called for every image of every pass before it runs (preprocessing into the
    /// pass's own input), on the calling thread: a program that prepares and runs each image itself, without a server.</param>
    public static RunResult Run(
        ProbeModel model, float[] image, int batch, int concurrency, TimeSpan warmUp, TimeSpan duration, Action<Span<float>>? prepare = null)
    {
        var stop = false;
        var measuring = false;
        var latencies = new List<double>[concurrency];
        var threads = new Thread[concurrency];
        for (var t = 0; t < concurrency; t++)
        {
            var mine = latencies[t] = [];
            threads[t] = new Thread(() =>
            {
                using var pass = new ForwardPass(model, image, batch);
                while (!Volatile.Read(ref stop))
                {
                    var started = Stopwatch.GetTimestamp();
                    if (prepare is not null)
                    {
                        pass.Prepare(prepare);
                    }

                    pass.Run();
                    if (Volatile.Read(ref measuring))
                    {
                        mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                }
            }) { IsBackground = true, Name = $"ortalone-{t}" };
            threads[t].Start();
        }

        Thread.Sleep(warmUp);
        using var self = Process.GetCurrentProcess();
        var measureStart = Stopwatch.GetTimestamp();
        var cpuStart = self.TotalProcessorTime;
        Volatile.Write(ref measuring, true);
        Thread.Sleep(duration);
        Volatile.Write(ref measuring, false);
        var elapsed = Stopwatch.GetElapsedTime(measureStart);
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpuStart;
        Volatile.Write(ref stop, true);
        foreach (var thread in threads)
        {
            thread.Join();
        }

        // A pass that started before the window closed and ended after it is not counted: the count and the
        // elapsed time cover the same passes to within one per thread.
        var all = latencies.SelectMany(l => l).ToArray();
        return new RunResult(batch, concurrency, elapsed, all.Length, all, cpu);
    }

    /// <summary>Runs each batch size from 1 to <paramref name="maxBatch"/> once (as the engine warms up).</summary>
    public static void WarmUp(ProbeModel model, float[] image, int maxBatch)
    {
        for (var size = model.FixedBatch ?? 1; size <= (model.FixedBatch ?? maxBatch); size++)
        {
            using var pass = new ForwardPass(model, image, size);
            pass.Run();
        }
    }

    /// <summary>One thread's input and output buffers, wrapped once as <see cref="OrtValue"/>s over pinned managed memory.</summary>
    private sealed class ForwardPass : IDisposable
    {
        private readonly InferenceSession _session;
        private readonly RunOptions _runOptions = new();
        private readonly string[] _inputNames;
        private readonly string[] _outputNames;
        private readonly OrtValue[] _inputs;
        private readonly OrtValue[] _outputs;
        private readonly float[] _input;
        private readonly int _perImage;

        public ForwardPass(ProbeModel model, float[] image, int batch)
        {
            _session = model.Session;
            _inputNames = [model.InputName];
            _outputNames = model.OutputNames;
            _perImage = model.InputPerImage;
            _input = new float[batch * _perImage];
            for (var i = 0; i < batch; i++)
            {
                image.CopyTo(_input, i * _perImage);
            }

            _inputs = [OrtValue.CreateTensorValueFromMemory(_input, model.InputShape(batch))];
            _outputs = [.. model.OutputWidths.Select(width => OrtValue.CreateTensorValueFromMemory(new float[batch * width], [batch, width]))];
        }

        public void Prepare(Action<Span<float>> prepare)
        {
            for (var offset = 0; offset < _input.Length; offset += _perImage)
            {
                prepare(_input.AsSpan(offset, _perImage));
            }
        }

        public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

        public void Dispose()
        {
            foreach (var value in _inputs.Concat(_outputs))
            {
                value.Dispose();
            }

            _runOptions.Dispose();
        }
    }
}
