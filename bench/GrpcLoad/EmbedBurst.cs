using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Inference.Contracts.Grpc.V1;

namespace GrpcLoad;

/// <summary>
/// Opens every stream at once, writes all of each stream's images without waiting for answers, then reads
/// them: the many-streams case where a server-wide in-flight limit must slow the writers down (HTTP/2 flow
/// control) rather than fail their items.
/// </summary>
internal static class EmbedBurst
{
    public static async Task<int> RunAsync(ImageInference.ImageInferenceClient client, LoadOptions options, ByteString[] images)
    {
        var succeeded = 0;
        var itemErrors = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();

        async Task Stream(int stream)
        {
            try
            {
                using var call = client.EmbedStream(deadline: DateTime.UtcNow + options.Deadline);
                var writer = Task.Run(async () =>
                {
                    for (var i = 0; i < options.PerStream; i++)
                    {
                        var index = (stream * options.PerStream) + i;
                        await call.RequestStream.WriteAsync(new EmbedRequest { Id = $"{index}", Model = options.Model, Image = images[index % images.Length] });
                    }

                    await call.RequestStream.CompleteAsync();
                });
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    if (call.ResponseStream.Current.Error is { } error)
                    {
                        itemErrors.AddOrUpdate($"item {(StatusCode)error.Code}", 1, static (_, n) => n + 1);
                    }
                    else
                    {
                        Interlocked.Increment(ref succeeded);
                    }
                }

                await writer;
            }
            catch (RpcException e)
            {
                itemErrors.AddOrUpdate($"stream {e.StatusCode}", 1, static (_, n) => n + 1);
            }
        }

        Console.WriteLine($"embed-burst against {options.Address}, model {options.Model}: {options.Concurrency} streams x {options.PerStream} images");
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(Stream));
        var failed = string.Join(", ", itemErrors.OrderBy(static e => e.Key, StringComparer.Ordinal).Select(static e => $"{e.Key}: {e.Value}"));
        Console.WriteLine(FormattableString.Invariant(
            $"items {options.Concurrency * options.PerStream}, succeeded {succeeded}, failed [{(failed.Length == 0 ? "none" : failed)}], {clock.Elapsed.TotalSeconds:F1} s, {succeeded / clock.Elapsed.TotalSeconds:F1} img/s"));
        return succeeded == options.Concurrency * options.PerStream ? 0 : 1;
    }
}
