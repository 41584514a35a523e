using Inference.Onnx.Graph;
using Inference.Onnx.Protos;

namespace Inference.Onnx.Preparation;

/// <summary>Finds the graph's single image input and checks that it is float NCHW or NHWC with 3 channels.</summary>
internal static class ImageInputReader
{
    public static ValueInfoProto Read(GraphProto graph, string modelPath)
    {
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        // Models of IR version < 4 list their initializers among the inputs too; those are not fed.
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count == 0)
        {
            throw new OnnxModelException($"Model '{modelPath}' has no graph inputs; an image model needs one float NCHW input.");
        }

        if (inputs.Count > 1)
        {
            throw new OnnxModelException(
                $"Model '{modelPath}' has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); the service feeds exactly one image tensor.");
        }

        var input = inputs[0];
        var tensorType = input.Type?.TensorType
            ?? throw new OnnxModelException($"Model '{modelPath}': input '{input.Name}' is not a tensor.");
        if (tensorType.ElemType != ElementType.Float)
        {
            throw new OnnxModelException(
                $"Model '{modelPath}': input '{input.Name}' has element type {tensorType.ElemType}; the service feeds float (1) tensors.");
        }

        var dims = ValueInfos.Dimensions(input);
        if (dims.Length != 4 || (dims[1] is not (null or 3) && dims[3] is not (null or 3)))
        {
            throw new OnnxModelException(
                $"Model '{modelPath}': input '{input.Name}' has shape [{Describe(input)}]; expected NCHW [batch, 3, height, width] or NHWC [batch, height, width, 3].");
        }

        return input;
    }

    /// <summary>
    /// The input's layout: NHWC (true) when only the last dimension can be the 3 channels, NCHW (false) when only
    /// the second can; otherwise the configured layout, or null when none is configured (the engine assumes NCHW).
    /// </summary>
    public static bool? ChannelsLast(ValueInfoProto input, bool? configured, string modelPath)
    {
        var dims = ValueInfos.Dimensions(input);
        var canBeFirst = dims[1] is null or 3;
        var canBeLast = dims[3] is null or 3;
        bool? detected = canBeFirst == canBeLast ? null : canBeLast;
        if (configured is { } layout && detected is { } found && layout != found)
        {
            throw new OnnxModelException(
                $"Model '{modelPath}': config.json says layout {(layout ? "NHWC" : "NCHW")} but input '{input.Name}' has shape [{Describe(input)}], " +
                $"which is {(found ? "NHWC [batch, height, width, 3]" : "NCHW [batch, 3, height, width]")}.");
        }

        return configured ?? detected;
    }

    public static string Describe(ValueInfoProto valueInfo)
    {
        var shape = valueInfo.Type?.TensorType?.Shape;
        return shape is null
            ? "unknown"
            : string.Join(", ", shape.Dim.Select(d => d.ValueCase switch
            {
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
                _ => "?",
            }));
    }
}
