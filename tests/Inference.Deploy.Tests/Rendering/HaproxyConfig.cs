using System.Globalization;
using System.Text.RegularExpressions;
using Inference.TestSupport;

namespace Inference.Deploy.Tests.Rendering;

/// <summary>
/// deploy/haproxy/haproxy.cfg, parsed into its sections (<c>global</c>, <c>defaults</c>, <c>frontend NAME</c>,
/// <c>backend NAME</c>, <c>resolvers NAME</c>), each a list of directive lines split into words, comments removed.
/// </summary>
internal sealed partial class HaproxyConfig
{
    private static readonly Lazy<HaproxyConfig> LazyRepository = new(() => new HaproxyConfig(File.ReadAllText(RepositoryPath)));

    public HaproxyConfig(string text)
    {
        var sections = new List<Section>();
        foreach (var raw in text.Split('\n'))
        {
            var line = Comment().Replace(raw, string.Empty).TrimEnd();
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var words = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (!char.IsWhiteSpace(line[0]))
            {
                sections.Add(new Section(words[0], words.Length > 1 ? words[1] : string.Empty, []));
            }
            else
            {
                Assert.True(sections.Count > 0, $"haproxy.cfg: '{line.Trim()}' is outside any section");
                sections[^1].Lines.Add(words);
            }
        }

        Sections = sections;
    }

    public static string RepositoryPath => Path.Combine(SharedData.RepositoryRoot, "deploy", "haproxy", "haproxy.cfg");

    public static HaproxyConfig Repository => LazyRepository.Value;

    public IReadOnlyList<Section> Sections { get; }

    public Section Defaults => Get("defaults", string.Empty);

    public IEnumerable<Section> Frontends => Sections.Where(s => s.Kind == "frontend");

    public IEnumerable<Section> Backends => Sections.Where(s => s.Kind == "backend");

    public Section Get(string kind, string name)
    {
        var section = Sections.SingleOrDefault(s => s.Kind == kind && s.Name == name);
        Assert.True(section is not null, $"haproxy.cfg has no '{kind} {name}' section");
        return section;
    }

    /// <summary>
    /// A duration as HAProxy reads it: a number with an optional unit (us, ms, s, m, h, d); no unit means milliseconds.
    /// </summary>
    public static TimeSpan Duration(string value)
    {
        var match = DurationValue().Match(value);
        Assert.True(match.Success, $"'{value}' is not an HAProxy duration");
        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "us" => TimeSpan.FromMicroseconds(amount),
            "" or "ms" => TimeSpan.FromMilliseconds(amount),
            "s" => TimeSpan.FromSeconds(amount),
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromDays(amount),
        };
    }

    [GeneratedRegex(@"(^|\s)#.*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(us|ms|s|m|h|d)?$")]
    private static partial Regex DurationValue();

    /// <summary>One section and its directive lines.</summary>
    public sealed record Section(string Kind, string Name, List<string[]> Lines)
    {
        /// <summary>The words after a directive (<c>"timeout server"</c>, <c>"retry-on"</c>, ...) on its last line, or null.</summary>
        public IReadOnlyList<string>? Directive(string keyword)
        {
            var parts = keyword.Split(' ');
            var line = Lines.LastOrDefault(l => l.Length >= parts.Length && l.Take(parts.Length).SequenceEqual(parts));
            return line?[parts.Length..];
        }

        /// <summary>Every line that starts with the keyword (<c>server</c>, <c>acl</c>, <c>bind</c>, ...), the keyword removed.</summary>
        public IEnumerable<string[]> All(string keyword) => Lines.Where(l => l[0] == keyword).Select(l => l[1..]);

        /// <summary>The servers: name, host, port and the words after the address.</summary>
        public IReadOnlyList<(string Name, string Host, int Port, IReadOnlyList<string> Options)> Servers =>
            [.. All("server").Select(words =>
            {
                var address = words[1].Split(':');
                return (words[0], address[0], int.Parse(address[1], CultureInfo.InvariantCulture), (IReadOnlyList<string>)words[2..]);
            })];

        /// <summary>The value after <paramref name="option"/> in a list of server options (<c>inter 1s</c>), or null.</summary>
        public static string? OptionValue(IReadOnlyList<string> options, string option)
        {
            var index = options.ToList().IndexOf(option);
            return index >= 0 && index + 1 < options.Count ? options[index + 1] : null;
        }
    }
}
