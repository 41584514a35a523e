using System.Globalization;
using System.Text.Json;
using Inference.Engine.DependencyInjection;
using Inference.Engine.Inference;
using Inference.Engine.Models;
using Inference.Tools.Evaluate;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// dotnet run --project tools/Evaluate -- --model <name> --repository <dir> --data <folder>
//   [--ground-truth <file>] [--url http://host:port] [--labels <labels.txt>] [--report <file.json>] [--knn <k>]
var options = Arguments.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(Arguments.Usage);
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

IHost? host = null;
HttpClient? http = null;
try
{
    IImageRanker ranker;
    IReadOnlyList<string> labels;
    if (options.Url is { } url)
    {
        http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        ranker = new RestRanker(http, options.Model);
        labels = options.Labels is { } file ? File.ReadAllLines(file) : [];
    }
    else
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Inference:ModelRepository"] = Path.GetFullPath(options.Repository),
            ["Inference:Models:0"] = options.Model,
        });
        builder.Services.AddInferenceEngine(builder.Configuration);
        host = builder.Build();
        await host.StartAsync(cancellation.Token);
        var catalog = host.Services.GetRequiredService<IModelCatalog>();
        var model = catalog.Find(options.Model);
        while (model is { State: ModelState.Loading })
        {
            await Task.Delay(100, cancellation.Token);
            model = catalog.Find(options.Model);
        }

        if (model is not { State: ModelState.Ready })
        {
            Console.Error.WriteLine($"Model '{options.Model}' did not load: {model?.Error ?? "not found"}");
            return 1;
        }

        if (model.LogitsOutputName is null && options.Knn is null)
        {
            Console.Error.WriteLine($"Model '{options.Model}' serves embed only (no classification output); evaluate it with --knn <k>.");
            return 1;
        }

        ranker = new EngineRanker(host.Services.GetRequiredService<IInferenceEngine>(), options.Model);
        labels = options.Labels is { } file ? File.ReadAllLines(file) : model.Labels;
    }

    var images = options.GroundTruth is { } truth
        ? EvaluationSet.FromGroundTruth(options.Data, truth)
        : EvaluationSet.FromImageFolder(options.Data, labels);
    var bar = Console.IsErrorRedirected ? null : new ProgressBar(images.Count);
    Func<LabelledImage, Task<IReadOnlyList<int>>> rank = image => ranker.RankAsync(File.ReadAllBytes(image.Path), Evaluator.TopK, cancellation.Token);
    if (options.Knn is { } k)
    {
        // Leave-one-out k-NN on the embeddings instead of the classifier: every embedding first, then the votes.
        var unit = new List<float[]>(images.Count);
        foreach (var image in images)
        {
            unit.Add(NearestNeighbours.Normalise(await ranker.EmbedAsync(File.ReadAllBytes(image.Path), cancellation.Token)));
            bar?.Show(unit.Count);
        }

        var classes = images.Select(i => i.Class).ToList();
        var positions = images.Select((image, i) => (image, i)).ToDictionary(p => p.image, p => p.i);
        rank = image => Task.FromResult(NearestNeighbours.Rank(unit, classes, positions[image], k));
    }

    var report = await Evaluator.RunAsync(images, rank, labels, bar is null ? null : bar.Show);
    bar?.Done();
    if (options.Report is { } reportPath)
    {
        await File.WriteAllTextAsync(reportPath, JsonSerializer.Serialize(report, ReportJson.Options), cancellation.Token);
    }

    Console.WriteLine(Evaluator.SummaryLine(report));
    return 0;
}
finally
{
    http?.Dispose();
    if (host is not null)
    {
        await host.StopAsync();
        host.Dispose();
    }
}

internal sealed record Arguments(
    string Model, string Repository, string Data, string? GroundTruth, string? Url, string? Labels, string? Report, int? Knn)
{
    public const string Usage =
        "usage: evaluate --model <name> --data <folder> [--repository <dir> | --url http://host:port] " +
        "[--ground-truth <file>] [--labels <labels.txt>] [--report <file.json>] [--knn <k>]";

    public static Arguments? Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                return null;
            }

            values[args[i][2..]] = args[i + 1];
        }

        string? Get(string key) => values.GetValueOrDefault(key);
        if (args.Length % 2 != 0 || Get("model") is not { } model || Get("data") is not { } data ||
            values.Keys.Except(["model", "repository", "data", "ground-truth", "url", "labels", "report", "knn"]).Any())
        {
            return null;
        }

        int? knn = null;
        if (Get("knn") is { } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var k) || k < 1)
            {
                return null;
            }

            knn = k;
        }

        return new Arguments(model, Get("repository") ?? "models", data, Get("ground-truth"), Get("url"), Get("labels"), Get("report"), knn);
    }
}

/// <summary>A one-line progress bar on the terminal (stderr), redrawn in place.</summary>
internal sealed class ProgressBar(int total)
{
    private const int Width = 40;

    public void Show(int done)
    {
        var filled = total == 0 ? Width : done * Width / total;
        Console.Error.Write(string.Create(
            CultureInfo.InvariantCulture, $"\r[{new string('#', filled)}{new string('.', Width - filled)}] {done}/{total}"));
    }

    public void Done() => Console.Error.WriteLine();
}

internal static class ReportJson
{
    public static JsonSerializerOptions Options { get; } = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
