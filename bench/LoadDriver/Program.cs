using System.CommandLine;
using Inference.Bench;

var mode = new Option<string>("--mode") { Description = "rest or grpc: drive a running service; engine: the engine in-process, no host.", DefaultValueFactory = _ => "rest" };
var url = new Option<string>("--url") { Description = "The service's REST base URL (rest mode).", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
var grpcAddress = new Option<string>("--grpc") { Description = "The service's gRPC address (grpc mode; unary Classify/Embed).", DefaultValueFactory = _ => "http://127.0.0.1:8081" };
var cpuPid = new Option<int?>("--cpu-pid") { Description = "Report this process's CPU time per image (the service's PID); default: this process (engine mode)." };
var timeout = new Option<double>("--timeout") { Description = "Seconds one request may take (HTTP timeout, gRPC deadline, engine cancellation); past it, it counts as failed.", DefaultValueFactory = _ => 30 };
var model = new Option<string>("--model") { Description = "Model name.", DefaultValueFactory = _ => "resnet18" };
var endpoint = new Option<string>("--endpoint") { Description = "classify or embed.", DefaultValueFactory = _ => "classify" };
var image = new Option<FileInfo>("--image") { Description = "The image to send (JPEG/PNG/...).", Required = true };
var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight (closed loop).", DefaultValueFactory = _ => 8 };
var duration = new Option<double>("--duration") { Description = "Measured seconds.", DefaultValueFactory = _ => 20 };
var warmUp = new Option<double>("--warmup") { Description = "Unmeasured seconds first.", DefaultValueFactory = _ => 3 };
var repository = new Option<string>("--repository") { Description = "Model repository (engine mode).", DefaultValueFactory = _ => "models" };
var preprocessed = new Option<bool>("--preprocessed") { Description = "Engine mode: send the image already preprocessed (the model alone)." };
var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (engine mode; 0 = cores).", DefaultValueFactory = _ => 0 };

mode.AcceptOnlyFromAmong("rest", "grpc", "engine");
endpoint.AcceptOnlyFromAmong("classify", "embed");

var command = new RootCommand("Closed-loop load driver: throughput and p50/p90/p99 for REST or gRPC classify/embed, or the in-process engine.")
{
    mode, url, grpcAddress, model, endpoint, image, concurrency, duration, warmUp, timeout, cpuPid, repository, threads, preprocessed,
};

// Per-option validators run only for options given (a command-level validator sees 0 for one left at its default).
concurrency.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--concurrency must be at least 1."); } });
duration.Validators.Add(r => { if (r.GetValueOrDefault<double>() <= 0) { r.AddError("--duration must be positive."); } });
timeout.Validators.Add(r => { if (r.GetValueOrDefault<double>() <= 0) { r.AddError("--timeout must be positive."); } });
warmUp.Validators.Add(r => { if (r.GetValueOrDefault<double>() < 0) { r.AddError("--warmup must not be negative."); } });
command.SetAction(async (parse, cancellationToken) =>
{
    var file = parse.GetValue(image)!;
    var bytes = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
    var run = TimeSpan.FromSeconds(parse.GetValue(duration));
    var warm = TimeSpan.FromSeconds(parse.GetValue(warmUp));
    var workers = parse.GetValue(concurrency);
    var perRequest = TimeSpan.FromSeconds(parse.GetValue(timeout));
    var cpu = new CpuClock(parse.GetValue(cpuPid));
    LoadResult result;
    if (parse.GetValue(mode) == "rest")
    {
        var mediaType = file.Extension.ToLowerInvariant() switch { ".png" => "image/png", ".webp" => "image/webp", _ => "image/jpeg" };
        using var target = new RestTarget(new Uri(parse.GetValue(url)!), parse.GetValue(model)!, parse.GetValue(endpoint)!, bytes, mediaType, perRequest);
        result = await ClosedLoop.RunAsync($"REST {parse.GetValue(endpoint)} {parse.GetValue(model)}", workers, warm, run, perRequest, cpu, target.SendAsync);
    }
    else if (parse.GetValue(mode) == "grpc")
    {
        using var target = new GrpcTarget(parse.GetValue(grpcAddress)!, parse.GetValue(model)!, parse.GetValue(endpoint)!, bytes, perRequest);
        result = await ClosedLoop.RunAsync($"gRPC {parse.GetValue(endpoint)} {parse.GetValue(model)}", workers, warm, run, perRequest, cpu, target.SendAsync);
    }
    else
    {
        await using var target = new EngineTarget(
            Path.GetFullPath(parse.GetValue(repository)!), parse.GetValue(model)!, parse.GetValue(threads), parse.GetValue(endpoint)!, bytes, parse.GetValue(preprocessed));
        var what = parse.GetValue(preprocessed) ? "engine (preprocessed tensor)" : "engine";
        result = await ClosedLoop.RunAsync($"{what} {parse.GetValue(endpoint)} {parse.GetValue(model)}", workers, warm, run, perRequest, cpu, target.SendAsync);
        Console.WriteLine(target.BatchSizes());
    }

    Console.WriteLine(result);
    Console.WriteLine(result.ToKeyValues(parse.GetValue(preprocessed) ? "engine-preprocessed" : parse.GetValue(mode)!, parse.GetValue(model)!));
    Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
    return result.Failed == 0 ? 0 : 2;
});
return await command.Parse(args).InvokeAsync();
