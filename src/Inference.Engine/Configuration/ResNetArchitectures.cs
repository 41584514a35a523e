namespace Inference.Engine.Configuration;

/// <summary>The architectures the demo-weights builder can generate.</summary>
public static class ResNetArchitectures
{
    public static IReadOnlyList<string> Names { get; } = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152"];

    public static bool TryGetDepth(string architecture, out int depth)
    {
        depth = architecture.ToLowerInvariant() switch
        {
            "resnet18" => 18,
            "resnet34" => 34,
            "resnet50" => 50,
            "resnet101" => 101,
            "resnet152" => 152,
            _ => 0,
        };
        return depth != 0;
    }
}
