namespace Inference.Onnx.Graph;

/// <summary>The <c>TensorProto.DataType</c> codes this library writes or checks.</summary>
public static class ElementType
{
    public const int Float = 1;
    public const int Int64 = 7;
}
