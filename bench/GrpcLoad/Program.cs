using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using GrpcLoad;
using Inference.Contracts.Grpc;
using Inference.Contracts.Grpc.V1;

// Closed-loop gRPC load: each of N workers sends its next image as soon as the previous one is answered.
// classify: unary Classify calls. embed-stream: one EmbedStream per worker, one image in flight per worker.
// embed-burst: N streams at once (--concurrency), each writing --per-stream images without waiting, then
// reading every answer: counts the items that succeeded and those that failed, by status code.
// Every call carries a deadline (--deadline seconds), so a stalled server cannot hang the driver.
if (LoadOptions.Parse(args) is not { } options)
{
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

var images = Directory.EnumerateFiles(options.Images).Order(StringComparer.Ordinal)
    .Select(f => ByteString.CopyFrom(File.ReadAllBytes(f))).ToArray();
if (images.Length == 0)
{
    Console.Error.WriteLine($"No files in {options.Images}.");
    return 2;
}

using var channel = InferenceChannel.Create(options.Address);
var client = new ImageInference.ImageInferenceClient(channel);
var recorder = new LatencyRecorder();
var clock = Stopwatch.StartNew();
var measureFrom = options.Warmup;
var stopAt = options.Warmup + options.Duration;

async Task ClassifyWorker(int worker)
{
    for (var i = worker; clock.Elapsed < stopAt; i += options.Concurrency)
    {
        var started = clock.Elapsed;
        try
        {
            await client.ClassifyAsync(
                new ClassifyRequest { Model = options.Model, Image = images[i % images.Length], TopK = 5 },
                deadline: DateTime.UtcNow + options.Deadline);
            if (started >= measureFrom)
            {
                recorder.Record(clock.Elapsed - started);
            }
        }
        catch (RpcException)
        {
            recorder.RecordError();
        }
    }
}

async Task EmbedStreamWorker(int worker)
{
    using var call = client.EmbedStream(deadline: DateTime.UtcNow + options.Warmup + options.Duration + options.Deadline);
    for (var i = worker; clock.Elapsed < stopAt; i += options.Concurrency)
    {
        var started = clock.Elapsed;
        await call.RequestStream.WriteAsync(new EmbedRequest { Id = $"{i}", Model = options.Model, Image = images[i % images.Length] });
        if (!await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            break;
        }

        if (call.ResponseStream.Current.Error is not null)
        {
            recorder.RecordError();
        }
        else if (started >= measureFrom)
        {
            recorder.Record(clock.Elapsed - started);
        }
    }

    await call.RequestStream.CompleteAsync();
    while (await call.ResponseStream.MoveNext(CancellationToken.None))
    {
    }
}

if (options.Mode == "embed-burst")
{
    return await EmbedBurst.RunAsync(client, options, images);
}

Console.WriteLine($"{options.Mode} against {options.Address}, model {options.Model}, concurrency {options.Concurrency}, " +
    $"{options.Duration.TotalSeconds:F0} s after {options.Warmup.TotalSeconds:F0} s warm-up, {images.Length} images");
await Task.WhenAll(Enumerable.Range(0, options.Concurrency)
    .Select(w => options.Mode == "classify" ? ClassifyWorker(w) : EmbedStreamWorker(w)));
Console.WriteLine(recorder.Report(options.Duration));
return 0;
