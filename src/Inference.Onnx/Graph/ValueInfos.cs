using Inference.Onnx.Protos;

namespace Inference.Onnx.Graph;

/// <summary>Builds and reads the <c>ValueInfoProto</c> of float tensors.</summary>
public static class ValueInfos
{
    /// <summary>A float tensor value info; each dimension is a <see cref="long"/> (fixed) or a <see cref="string"/> (symbolic).</summary>
    public static ValueInfoProto FloatTensor(string name, params TensorShapeProto.Types.Dimension[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims.Select(d => d.Clone()));
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = ElementType.Float, Shape = shape } },
        };
    }

    public static TensorShapeProto.Types.Dimension Fixed(long value) => new() { DimValue = value };

    public static TensorShapeProto.Types.Dimension Symbolic(string name) => new() { DimParam = name };

    /// <summary>The dimensions of a tensor value info: the value where fixed (positive), null where symbolic or unknown.</summary>
    public static long?[] Dimensions(ValueInfoProto valueInfo)
    {
        ArgumentNullException.ThrowIfNull(valueInfo);
        var shape = valueInfo.Type?.TensorType?.Shape;
        return shape is null
            ? []
            : [.. shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0
                ? (long?)d.DimValue
                : null)];
    }
}
