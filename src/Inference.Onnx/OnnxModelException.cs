namespace Inference.Onnx;

/// <summary>
/// A model file that cannot be used: not an ONNX model, no usable image input, a missing
/// external data file, an embedding tensor that is not in the graph. The message names the problem.
/// </summary>
public sealed class OnnxModelException : Exception
{
    public OnnxModelException()
    {
    }

    public OnnxModelException(string message)
        : base(message)
    {
    }

    public OnnxModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
