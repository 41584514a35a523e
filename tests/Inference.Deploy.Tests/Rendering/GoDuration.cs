using System.Globalization;
using System.Text.RegularExpressions;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>Compose's durations (Go's <c>time.ParseDuration</c> form: <c>45s</c>, <c>1m30s</c>, <c>1.5h</c>).</summary>
internal static partial class GoDuration
{
    public static TimeSpan Parse(string value)
    {
        Assert.Matches(Whole(), value);
        var total = TimeSpan.Zero;
        foreach (Match part in Part().Matches(value))
        {
            var amount = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "ms" => TimeSpan.FromMilliseconds(amount),
                "us" or "µs" => TimeSpan.FromMicroseconds(amount),
                _ => TimeSpan.FromTicks((long)(amount / 100)),
            };
        }

        return total;
    }

    [GeneratedRegex(@"^(?:[0-9]+(?:\.[0-9]+)?(?:h|m|s|ms|us|µs|ns))+$")]
    private static partial Regex Whole();

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(h|ms|m|s|us|µs|ns)")]
    private static partial Regex Part();
}
