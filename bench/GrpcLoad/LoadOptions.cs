using System.Globalization;

namespace GrpcLoad;

internal sealed record LoadOptions(
    string Address, string Model, string Mode, int Concurrency, TimeSpan Duration, TimeSpan Warmup, string Images, int PerStream, TimeSpan Deadline)
{
    public const string Usage =
        "Usage: GrpcLoad --images <folder> [--address http://localhost:8081] [--model resnet18] [--mode classify|embed-stream] " +
        "[--mode embed-burst --concurrency 200 --per-stream 5] [--concurrency 8] [--duration 30] [--warmup 5] [--deadline 60]";

    public static LoadOptions? Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--address"] = "http://localhost:8081",
            ["--model"] = "resnet18",
            ["--mode"] = "classify",
            ["--concurrency"] = "8",
            ["--duration"] = "30",
            ["--warmup"] = "5",
            ["--per-stream"] = "5",
            ["--deadline"] = "60",
        };
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }

        if (args.Length % 2 != 0 || !values.TryGetValue("--images", out var images) || !Directory.Exists(images) ||
            values["--mode"] is not ("classify" or "embed-stream" or "embed-burst") ||
            !int.TryParse(values["--per-stream"], CultureInfo.InvariantCulture, out var perStream) || perStream < 1 ||
            !double.TryParse(values["--deadline"], CultureInfo.InvariantCulture, out var deadline) || deadline <= 0 ||
            !int.TryParse(values["--concurrency"], CultureInfo.InvariantCulture, out var concurrency) || concurrency < 1 ||
            !double.TryParse(values["--duration"], CultureInfo.InvariantCulture, out var duration) || duration <= 0 ||
            !double.TryParse(values["--warmup"], CultureInfo.InvariantCulture, out var warmup) || warmup < 0)
        {
            return null;
        }

        return new LoadOptions(values["--address"], values["--model"], values["--mode"], concurrency,
            TimeSpan.FromSeconds(duration), TimeSpan.FromSeconds(warmup), images, perStream, TimeSpan.FromSeconds(deadline));
    }
}
