using System.Globalization;

namespace Inference.Tools.Evaluate;

/// <summary>Top-1/top-5 accuracy, per-class accuracy and confusions over a labelled set.</summary>
public static class Evaluator
{
    public const int TopK = 5;

    /// <param name="images">The set.</param>
    /// <param name="rank">An image's top classes, best first (at least <see cref="TopK"/> where the model has them).</param>
    /// <param name="labels">Class names, for the report.</param>
    /// <param name="progress">Called after each image with the count done.</param>
    public static async Task<EvaluationReport> RunAsync(
        IReadOnlyList<LabelledImage> images,
        Func<LabelledImage, Task<IReadOnlyList<int>>> rank,
        IReadOnlyList<string> labels,
        Action<int>? progress = null)
    {
        var outcomes = new List<ImageOutcome>(images.Count);
        foreach (var image in images)
        {
            var ranked = await rank(image).ConfigureAwait(false);
            outcomes.Add(new ImageOutcome(image.Path, image.Class, [.. ranked.Take(TopK)]));
            progress?.Invoke(outcomes.Count);
        }

        return Summarise(outcomes, labels);
    }

    public static EvaluationReport Summarise(IReadOnlyList<ImageOutcome> outcomes, IReadOnlyList<string> labels)
    {
        string Label(int index) => (uint)index < (uint)labels.Count ? labels[index] : index.ToString(CultureInfo.InvariantCulture);
        var count = outcomes.Count;
        var top1 = count == 0 ? 0 : outcomes.Count(o => o.Top.Count > 0 && o.Top[0] == o.Class) / (double)count;
        var top5 = count == 0 ? 0 : outcomes.Count(o => o.Top.Contains(o.Class)) / (double)count;
        var perClass = outcomes.GroupBy(o => o.Class).OrderBy(g => g.Key).Select(g => new ClassAccuracy(
            g.Key, Label(g.Key), g.Count(), g.Count(o => o.Top.Count > 0 && o.Top[0] == g.Key) / (double)g.Count(),
            g.Count(o => o.Top.Contains(g.Key)) / (double)g.Count())).ToList();
        var confusions = outcomes.Where(o => o.Top.Count > 0 && o.Top[0] != o.Class)
            .GroupBy(o => (o.Class, Predicted: o.Top[0]))
            .Select(g => new Confusion(g.Key.Class, Label(g.Key.Class), g.Key.Predicted, Label(g.Key.Predicted), g.Count()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Class).ThenBy(c => c.Predicted).ToList();
        return new EvaluationReport(count, top1, top5, perClass, confusions, outcomes);
    }

    /// <summary>The summary line, exactly <c>top1=&lt;fraction&gt; top5=&lt;fraction&gt; images=&lt;n&gt;</c>.</summary>
    public static string SummaryLine(EvaluationReport report) =>
        string.Create(CultureInfo.InvariantCulture, $"top1={report.Top1:0.######} top5={report.Top5:0.######} images={report.Images}");
}

public sealed record ImageOutcome(string Path, int Class, IReadOnlyList<int> Top);

public sealed record ClassAccuracy(int Class, string Label, int Images, double Top1, double Top5);

public sealed record Confusion(int Class, string Label, int Predicted, string PredictedLabel, int Count);

public sealed record EvaluationReport(
    int Images, double Top1, double Top5, IReadOnlyList<ClassAccuracy> PerClass, IReadOnlyList<Confusion> Confusions, IReadOnlyList<ImageOutcome> Outcomes);
