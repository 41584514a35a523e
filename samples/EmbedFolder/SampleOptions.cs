namespace EmbedFolder;

internal sealed record SampleOptions(string Folder, string Address, string Model, bool Normalize, string? Output)
{
    public const string Usage =
        "Usage: EmbedFolder <folder> [--address http://localhost:8081] [--model resnet18] [--normalize] [--output file.jsonl]";

    public static readonly HashSet<string> ImageExtensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"];

    public static SampleOptions? Parse(string[] args)
    {
        string? folder = null;
        var address = "http://localhost:8081";
        var model = "resnet18";
        var normalize = false;
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--address" when i + 1 < args.Length: address = args[++i]; break;
                case "--model" when i + 1 < args.Length: model = args[++i]; break;
                case "--output" when i + 1 < args.Length: output = args[++i]; break;
                case "--normalize": normalize = true; break;
                case var value when !value.StartsWith("--", StringComparison.Ordinal) && folder is null: folder = value; break;
                default: return null;
            }
        }

        return folder is not null && Directory.Exists(folder) ? new SampleOptions(folder, address, model, normalize, output) : null;
    }
}
