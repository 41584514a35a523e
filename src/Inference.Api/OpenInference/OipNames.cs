namespace Inference.Api.OpenInference;

/// <summary>Names and values of the Open Inference Protocol as this service uses them.</summary>
internal static class OipNames
{
    public const string Fp32 = "FP32";
    public const string Bytes = "BYTES";

    /// <summary>The softmax of the logits.</summary>
    public const string Probabilities = "probabilities";

    /// <summary>The pooled feature vector.</summary>
    public const string Embedding = "embedding";

    public const string ClassificationParameter = "classification";
    public const string BinaryDataParameter = "binary_data";
    public const string BinaryDataSizeParameter = "binary_data_size";
    public const string BinaryDataOutputParameter = "binary_data_output";
    public const string HeaderContentLength = "Inference-Header-Content-Length";

    public const string ServerName = "image-inference";
    public const string Platform = "onnxruntime_onnx";
    public const string Backend = "onnxruntime";

    /// <summary>The protocol extensions implemented here, and nothing more.</summary>
    public static readonly IReadOnlyList<string> Extensions = ["classification", "binary_tensor_data", "model_configuration", "statistics"];
}
