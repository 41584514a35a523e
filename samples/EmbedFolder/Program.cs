using EmbedFolder;
using Grpc.Core;
using Inference.Contracts.Grpc;
using Inference.Contracts.Grpc.V1;

// Embeds every image of a folder over one EmbedStream call and writes one JSON line per image.
// Usage: EmbedFolder <folder> [--address http://localhost:8081] [--model resnet18] [--normalize] [--output file.jsonl]
if (SampleOptions.Parse(args) is not { } options)
{
    Console.Error.WriteLine(SampleOptions.Usage);
    return 2;
}

var files = Directory.EnumerateFiles(options.Folder)
    .Where(f => SampleOptions.ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
    .Order(StringComparer.Ordinal)
    .ToList();
using var channel = InferenceChannel.Create(options.Address);
var client = new ImageInference.ImageInferenceClient(channel);
await using var output = options.Output is null ? Console.OpenStandardOutput() : File.Create(options.Output);
await using var writer = new StreamWriter(output);

using var call = client.EmbedStream();
var failures = 0;
var reader = Task.Run(async () =>
{
    // Responses arrive as they finish; the id says which file each belongs to.
    await foreach (var response in call.ResponseStream.ReadAllAsync())
    {
        if (response.Error is { } error)
        {
            Interlocked.Increment(ref failures);
            Console.Error.WriteLine($"{response.Id}: {(StatusCode)error.Code}: {error.Message}");
            continue;
        }

        await writer.WriteLineAsync(EmbeddingLine.Format(response.Id, response.Model, response.Embedding));
    }
});

// WriteAsync waits while the server's window is full (HTTP/2 flow control), so memory stays bounded.
foreach (var file in files)
{
    await call.RequestStream.WriteAsync(new EmbedRequest
    {
        Id = Path.GetFileName(file),
        Model = options.Model,
        Image = Google.Protobuf.ByteString.CopyFrom(await File.ReadAllBytesAsync(file)),
        Normalize = options.Normalize,
    });
}

await call.RequestStream.CompleteAsync();
await reader;
Console.Error.WriteLine($"Embedded {files.Count - failures} of {files.Count} images from {options.Folder} with {options.Model}.");
return failures == 0 ? 0 : 1;
