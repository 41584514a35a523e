using Inference.Onnx.Protos;

namespace Inference.Onnx.Graph;

/// <summary>Builds node attributes and reads them back.</summary>
public static class OnnxAttributes
{
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>The integer attribute <paramref name="name"/> of <paramref name="node"/>, or <paramref name="defaultValue"/> when absent.</summary>
    public static long GetInt(NodeProto node, string name, long defaultValue)
    {
        ArgumentNullException.ThrowIfNull(node);
        var attribute = node.Attribute.FirstOrDefault(a => a.Name == name);
        return attribute is { HasI: true } ? attribute.I : defaultValue;
    }
}
