using System.Text.RegularExpressions;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>
/// Compose's interpolation as it behaves with no variable set: <c>${VAR:-default}</c> and <c>${VAR-default}</c>
/// give the default, <c>${VAR:+x}</c> gives nothing, <c>$$</c> a dollar. A variable with no default
/// (<c>$VAR</c>, <c>${VAR}</c>, <c>${VAR:?message}</c>) fails the test: the file would not work without it.
/// </summary>
internal static partial class ComposeVariables
{
    public static string Resolve(string value) => Reference().Replace(value, match =>
    {
        if (match.Value == "$$")
        {
            return "$";
        }

        var name = match.Groups["name"].Success ? match.Groups["name"].Value : match.Groups["bare"].Value;
        var op = match.Groups["op"].Value;
        if (op is ":-" or "-")
        {
            return match.Groups["arg"].Value;
        }

        Assert.True(op is ":+" or "+", $"'{value}' needs ${name} set: it has no default");
        return string.Empty;
    });

    /// <summary>The variable and default when the whole value is one <c>${VAR:-default}</c> with a non-empty default.</summary>
    public static (string Variable, string Default)? Override(string value)
    {
        var match = WholeOverride().Match(value);
        return match.Success ? (match.Groups["name"].Value, match.Groups["arg"].Value) : null;
    }

    /// <summary>Splits on the colons outside <c>${...}</c> (the <c>:-</c> of a default is not a separator).</summary>
    public static IReadOnlyList<string> SplitOnColons(string value)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            depth += value[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (value[i] == ':' && depth == 0)
            {
                parts.Add(value[start..i]);
                start = i + 1;
            }
        }

        parts.Add(value[start..]);
        return parts;
    }

    [GeneratedRegex(@"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-+?])(?<arg>[^}]*))?\}|\$(?<bare>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*):-(?<arg>[^}$]+)\}$")]
    private static partial Regex WholeOverride();
}
