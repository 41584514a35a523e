using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Inference.Api.Tests.Grpc.RealService;
using Inference.Api.Tests.Support;
using Inference.Contracts.OpenInference;
using Inference.Preprocessing;

namespace Inference.Api.Tests.OpenInference.RealService;

/// <summary>Open Inference Protocol requests to the real service's models, both input forms, both bindings.</summary>
internal static class RealOip
{
    public const string Input = "input";

    /// <summary>BYTES [N] of encoded images, in raw_input_contents (as Triton's clients send them).</summary>
    public static ModelInferRequest Images(string model, params byte[][] images)
    {
        var request = new ModelInferRequest { ModelName = model, Id = "real" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = Input, Datatype = "BYTES", Shape = { images.Length } });
        request.RawInputContents.Add(ByteString.CopyFrom(OipRequests.LengthPrefixed(images)));
        return request;
    }

    /// <summary>BYTES [N] of encoded images in the typed bytes_contents.</summary>
    public static ModelInferRequest TypedImages(string model, params byte[][] images)
    {
        var request = new ModelInferRequest { ModelName = model };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = Input, Datatype = "BYTES", Shape = { images.Length } };
        input.Contents = new InferTensorContents();
        input.Contents.BytesContents.AddRange(images.Select(ByteString.CopyFrom));
        request.Inputs.Add(input);
        return request;
    }

    /// <summary>FP32 [N,3,224,224] of preprocessed images, raw or in the typed fp32_contents.</summary>
    public static ModelInferRequest Tensor(string model, float[] nchw, bool typed = false)
    {
        var request = new ModelInferRequest { ModelName = model };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = Input, Datatype = "FP32", Shape = { nchw.Length / (3 * 224 * 224), 3, 224, 224 } };
        request.Inputs.Add(input);
        if (typed)
        {
            input.Contents = new InferTensorContents();
            input.Contents.Fp32Contents.AddRange(nchw);
        }
        else
        {
            request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(nchw.AsSpan())));
        }

        return request;
    }

    /// <summary>The images preprocessed by <see cref="ImagePreprocessor"/> with the model's own spec, one after another (NCHW).</summary>
    public static float[] Preprocess(ServiceFactory factory, string model, params byte[][] images)
    {
        var spec = factory.Descriptor(model).Preprocessing;
        var preprocessor = new ImagePreprocessor();
        var nchw = new float[images.Length * spec.TensorLength];
        for (var i = 0; i < images.Length; i++)
        {
            preprocessor.Preprocess(images[i], spec, nchw.AsSpan(i * spec.TensorLength, spec.TensorLength));
        }

        return nchw;
    }

    /// <summary>POSTs a binary-extension infer request (JSON header, then the binary input) and splits the answer.</summary>
    public static async Task<BinaryAnswer> PostBinaryAsync(HttpClient client, string model, object header, byte[] binary)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        using var content = new ByteArrayContent([.. json, .. binary]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", json.Length.ToString(CultureInfo.InvariantCulture));
        using var response = await client.PostToAsync($"/v2/models/{model}/infer", content);
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var jsonLength = response.Headers.TryGetValues("Inference-Header-Content-Length", out var values)
            ? int.Parse(values.Single(), CultureInfo.InvariantCulture)
            : body.Length;
        return new BinaryAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, JsonDocument.Parse(body.AsMemory(0, jsonLength)), body[jsonLength..]);
    }
}
