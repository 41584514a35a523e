using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using Inference.Bench.OrtAlone;
using Inference.Preprocessing;

var model = new Option<string>("--model") { Description = "An .onnx path, or resnet18..resnet152 (the project's seeded builder, seed 42).", DefaultValueFactory = _ => "resnet18" };
var cache = new Option<string>("--cache") { Description = "Where seeded models are built once.", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "inference-ortalone-models") };
var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (the engine's default on this 2-core machine).", DefaultValueFactory = _ => 2 };
var batch = new Option<int>("--batch") { Description = "Images per forward pass.", DefaultValueFactory = _ => 1 };
var concurrency = new Option<int>("--concurrency") { Description = "Threads calling Run on the one session, back to back.", DefaultValueFactory = _ => 1 };
var duration = new Option<double>("--duration") { Description = "Measured seconds.", DefaultValueFactory = _ => 10 };
var warmUp = new Option<double>("--warmup") { Description = "Unmeasured seconds first.", DefaultValueFactory = _ => 2 };
var image = new Option<FileInfo?>("--image") { Description = "Feed this image (torchvision ImageNet preprocessing) and report its preprocessing time alone; zeros otherwise." };
var preprocessSeconds = new Option<double>("--preprocess-seconds") { Description = "How long to time preprocessing (at least 5 images).", DefaultValueFactory = _ => 2 };
var withPreprocessing = new Option<bool>("--with-preprocessing")
{
    Description = "Preprocess --image into each pass's input on the calling thread before every Run: a program doing the service's work without a server.",
};
var spinning = new Option<bool>("--spinning") { Description = "Let ORT's intra-op threads spin-wait (ORT's default); off by default, as the engine runs." };
var hold = new Option<bool>("--hold") { Description = "Create and warm the session, print its RSS, and wait for SIGINT/SIGTERM (or --hold-timeout)." };
var holdTimeout = new Option<double>("--hold-timeout") { Description = "Seconds --hold waits at most.", DefaultValueFactory = _ => 600 };

var command = new RootCommand(
    "ONNX Runtime alone on the graph the engine runs: one machine-readable line of img/s and p50/p99 per forward pass " +
    "(and preprocessing alone with --image), or --hold for a bare session's RSS.")
{
    model, cache, threads, batch, concurrency, duration, warmUp, image, preprocessSeconds, withPreprocessing, spinning, hold, holdTimeout,
};
// Per-option validators: they run only for options given, which is where a bad value can come from (a command-level
// validator sees 0 for an option left at its default).
AtLeast(threads, 1);
AtLeast(batch, 1);
AtLeast(concurrency, 1);
Positive(duration);
Positive(holdTimeout);
Positive(preprocessSeconds);
warmUp.Validators.Add(r => { if (r.GetValueOrDefault<double>() < 0) { r.AddError("--warmup must not be negative."); } });
command.SetAction(async (parse, cancellationToken) =>
{
    var maxBatch = parse.GetValue(batch);
    using var probe = ProbeModel.Open(parse.GetValue(model)!, parse.GetValue(cache)!, parse.GetValue(threads), parse.GetValue(spinning));
    if (probe.FixedBatch is { } fixedBatch && fixedBatch != maxBatch)
    {
        await Console.Error.WriteLineAsync($"'{probe.Source}' is fixed to batch {fixedBatch}; pass --batch {fixedBatch}.");
        return 1;
    }

    var input = new float[probe.InputPerImage];
    var preprocessMs = double.NaN;
    Action<Span<float>>? prepare = null;
    if (parse.GetValue(withPreprocessing) && parse.GetValue(image) is null)
    {
        await Console.Error.WriteLineAsync("--with-preprocessing needs --image.");
        return 1;
    }

    if (parse.GetValue(image) is { } file)
    {
        var spec = PreprocessingSpec.ImageNet with
        {
            InputHeight = probe.InputSize,
            InputWidth = probe.InputSize,
            Layout = probe.ChannelsLast ? TensorLayout.Nhwc : TensorLayout.Nchw,
        };
        var encoded = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
        var preprocessor = new ImagePreprocessor();
        preprocessMs = TimePreprocessing(preprocessor, encoded, spec, input, TimeSpan.FromSeconds(parse.GetValue(preprocessSeconds)));
        if (parse.GetValue(withPreprocessing))
        {
            prepare = slot => preprocessor.Preprocess(encoded, spec, slot);
        }
    }

    ClosedLoop.WarmUp(probe, input, maxBatch);
    var name = File.Exists(parse.GetValue(model)) ? Path.GetFileNameWithoutExtension(probe.Source) : parse.GetValue(model)!;
    if (parse.GetValue(hold))
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect();
        Console.WriteLine(Line(
            "ortalone-hold", ("model", name), ("threads", parse.GetValue(threads)), ("pid", Environment.ProcessId), ("rss_mb", RssMegabytes()),
            ("managed_mb", GC.GetTotalMemory(forceFullCollection: false) / 1048576.0)));
        using var released = new CancellationTokenSource(TimeSpan.FromSeconds(parse.GetValue(holdTimeout)));
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; released.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; released.Cancel(); });
        try
        {
            await Task.Delay(Timeout.Infinite, released.Token);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }

    var result = ClosedLoop.Run(
        probe, input, maxBatch, parse.GetValue(concurrency), TimeSpan.FromSeconds(parse.GetValue(warmUp)), TimeSpan.FromSeconds(parse.GetValue(duration)), prepare);
    Console.WriteLine(Line(
        "ortalone", ("model", name), ("batch", result.Batch), ("concurrency", result.Concurrency), ("threads", parse.GetValue(threads)), ("spinning", parse.GetValue(spinning) ? 1 : 0), ("preprocessing", prepare is null ? 0 : 1),
        ("seconds", result.Elapsed.TotalSeconds), ("runs", result.Runs), ("images", result.Images), ("img_s", result.ImagesPerSecond),
        ("p50_ms", result.Percentile(50)), ("p99_ms", result.Percentile(99)), ("cpu_ms_per_img", result.CpuMsPerImage), ("preprocess_ms", preprocessMs), ("rss_mb", RssMegabytes()),
        ("cores", Environment.ProcessorCount)));
    return result.Runs > 0 ? 0 : 2;
});
return await command.Parse(args).InvokeAsync();

// The median of single-threaded preprocessing runs of one image into one slot: the floor a request pays before ORT.
static double TimePreprocessing(ImagePreprocessor preprocessor, byte[] encoded, PreprocessingSpec spec, float[] destination, TimeSpan budget)
{
    preprocessor.Preprocess(encoded, spec, destination);
    var times = new List<double>();
    var started = Stopwatch.GetTimestamp();
    while (times.Count < 5 || Stopwatch.GetElapsedTime(started) < budget)
    {
        var one = Stopwatch.GetTimestamp();
        preprocessor.Preprocess(encoded, spec, destination);
        times.Add(Stopwatch.GetElapsedTime(one).TotalMilliseconds);
    }

    times.Sort();
    return times[times.Count / 2];
}

static double RssMegabytes()
{
    using var self = Process.GetCurrentProcess();
    return self.WorkingSet64 / 1048576.0;
}

// key=value pairs on one line, invariant culture, two decimals for fractions.
static string Line(string kind, params (string Key, object Value)[] fields) =>
    kind + " " + string.Join(' ', fields.Select(f => f.Key + "=" + f.Value switch
    {
        double d => d.ToString("F2", CultureInfo.InvariantCulture),
        IFormattable v => v.ToString(null, CultureInfo.InvariantCulture),
        var v => v?.ToString(),
    }));

static void AtLeast(Option<int> option, int minimum) => option.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int>() < minimum)
    {
        r.AddError($"{option.Name} must be at least {minimum}.");
    }
});

static void Positive(Option<double> option) => option.Validators.Add(r =>
{
    if (r.GetValueOrDefault<double>() <= 0)
    {
        r.AddError($"{option.Name} must be positive.");
    }
});
