using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference.Api.Tests.Grpc.TestHost;
using Inference.Contracts.OpenInference;
using Inference.Preprocessing;

namespace Inference.Api.Tests.OpenInference;

/// <summary>Builds OIP requests and reads raw tensors, as a Triton client would.</summary>
internal static class OipRequests
{
    public static ModelInferRequest Images(params byte[][] images)
    {
        var request = new ModelInferRequest { ModelName = FakeModels.Main, Id = "r1" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "BYTES", Shape = { images.Length } });
        request.RawInputContents.Add(ByteString.CopyFrom(LengthPrefixed(images)));
        return request;
    }

    public static ModelInferRequest Tensor(float[] chw, int batch = 1)
    {
        var request = new ModelInferRequest { ModelName = FakeModels.Main };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { batch, 3, 224, 224 } });
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(chw.AsSpan())));
        return request;
    }

    public static ModelInferRequest WithOutput(this ModelInferRequest request, string name, long classification = 0)
    {
        var output = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = name };
        if (classification > 0)
        {
            output.Parameters["classification"] = new InferParameter { Int64Param = classification };
        }

        request.Outputs.Add(output);
        return request;
    }

    public static byte[] LengthPrefixed(IEnumerable<byte[]> elements)
    {
        using var stream = new MemoryStream();
        Span<byte> prefix = stackalloc byte[4];
        foreach (var element in elements)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)element.Length);
            stream.Write(prefix);
            stream.Write(element);
        }

        return stream.ToArray();
    }

    public static float[] Floats(ByteString raw) => MemoryMarshal.Cast<byte, float>(raw.Span).ToArray();

    public static List<string> Strings(ReadOnlySpan<byte> raw)
    {
        var strings = new List<string>();
        while (!raw.IsEmpty)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(raw);
            strings.Add(System.Text.Encoding.UTF8.GetString(raw.Slice(4, length)));
            raw = raw[(4 + length)..];
        }

        return strings;
    }

    public static float[] Preprocess(IServiceProvider services, byte[] image)
    {
        var chw = new float[PreprocessingSpec.ImageNet.TensorLength];
        ((IImagePreprocessor)services.GetService(typeof(IImagePreprocessor))!).Preprocess(image, PreprocessingSpec.ImageNet, chw);
        return chw;
    }
}
