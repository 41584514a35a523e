using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Inference.Api.Tests.OpenInference;
using Inference.Api.Tests.OpenInference.RealService;
using Inference.Api.Tests.Support;
using Inference.Contracts.OpenInference;
using InputTensor = Inference.Contracts.OpenInference.ModelInferRequest.Types.InferInputTensor;
using OutputTensor = Inference.Contracts.OpenInference.ModelInferRequest.Types.InferRequestedOutputTensor;

namespace Inference.Api.Tests.Hostile;

/// <summary>OIP gRPC <c>ModelInfer</c> with hostile shapes, raw contents, datatypes, images, model names and parameters.</summary>
[Collection(HostileCollection.Name)]
[TestCaseOrderer(typeof(GroupCheckLastOrderer))]
public sealed class OipGrpcHostileTests(HostileService service) : HostileGroup(service)
{
    private const int Pixels = 3 * 224 * 224;

    private static readonly byte[] Jpeg = TestImages.Jpeg(8301, 64, 48);

    private static readonly IReadOnlyDictionary<string, GrpcCase> Cases = Build().ToDictionary(static c => c.Name, StringComparer.Ordinal);

    public static TheoryData<string> Names => [.. Cases.Keys];

    private sealed record GrpcCase(string Name, Func<ModelInferRequest> Request, StatusCode Status, string? Keyword);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task ModelInfer_HostileRequest_AnswersTheRightStatusNamingIt(string name)
    {
        var c = Cases[name];
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(Service.Channel);

        if (c.Status == StatusCode.OK)
        {
            var response = await client.ModelInferAsync(c.Request(), cancellationToken: TestContext.Current.CancellationToken);
            Assert.NotEmpty(response.Outputs);
            Assert.Equal(response.Outputs.Count, response.RawOutputContents.Count);
        }
        else
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(c.Request(), cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
            HostileAssert.Grpc(error, c.Status, c.Keyword);
        }

        await Service.AssertReadyAndIdleAsync();
    }

    [Fact]
    public Task OipGrpc_AfterAllCases_ServiceStillServes() => Service.AssertStillServingAsync();

    private static ModelInferRequest Tensor(long[] shape, byte[]? raw, string datatype = "FP32", string model = ServiceFactory.Model)
    {
        var request = new ModelInferRequest { ModelName = model };
        request.Inputs.Add(new InputTensor { Name = RealOip.Input, Datatype = datatype, Shape = { shape } });
        if (raw is not null)
        {
            request.RawInputContents.Add(ByteString.CopyFrom(raw));
        }

        return request;
    }

    private static byte[] Floats(int images, Action<float[]>? change = null)
    {
        var values = new float[images * Pixels];
        change?.Invoke(values);
        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    private static ModelInferRequest WithClassification(InferParameter parameter)
    {
        var request = RealOip.Images(ServiceFactory.Model, Jpeg);
        var output = new OutputTensor { Name = "probabilities" };
        output.Parameters["classification"] = parameter;
        request.Outputs.Add(output);
        return request;
    }

    private static IEnumerable<GrpcCase> Build()
    {
        var one = Floats(1);
        GrpcCase Invalid(string name, Func<ModelInferRequest> request, string? keyword) => new(name, request, StatusCode.InvalidArgument, keyword);

        yield return Invalid("fp32-shape-1000000000x3x224x224", () => Tensor([1_000_000_000, 3, 224, 224], one), "shape");
        yield return Invalid("fp32-shape-int64-max-batch", () => Tensor([long.MaxValue, 3, 224, 224], one), "shape");
        yield return Invalid("fp32-shape-int64-max-width", () => Tensor([1, 3, 224, long.MaxValue], one), "shape");
        yield return Invalid("fp32-shape-int64-min-batch", () => Tensor([long.MinValue, 3, 224, 224], one), "shape");
        yield return Invalid("fp32-shape-negative-batch", () => Tensor([-1, 3, 224, 224], one), "shape");
        yield return Invalid("fp32-shape-zero-batch", () => Tensor([0, 3, 224, 224], []), "shape");
        yield return Invalid("fp32-shape-rank-3", () => Tensor([3, 224, 224], one), "shape");
        yield return Invalid("fp32-shape-empty", () => Tensor([], one), "shape");
        yield return Invalid("fp32-shape-4-channels", () => Tensor([1, 4, 224, 224], [.. one, .. new byte[224 * 224 * 4]]), "shape");
        yield return Invalid("fp32-raw-100-bytes", () => Tensor([1, 3, 224, 224], one[..100]), "shape");
        yield return Invalid("fp32-raw-not-whole-floats", () => Tensor([1, 3, 224, 224], [.. one, 0]), "FP32");
        yield return Invalid("fp32-raw-one-image-for-batch-2", () => Tensor([2, 3, 224, 224], one), "shape");
        yield return Invalid("fp32-raw-empty", () => Tensor([1, 3, 224, 224], []), "shape");
        yield return Invalid("fp32-no-contents", () => Tensor([1, 3, 224, 224], null), "shape");
        yield return Invalid("raw-contents-2-for-1-input", () => Tensor([1, 3, 224, 224], one).Also(r => r.RawInputContents.Add(ByteString.CopyFrom(one))), "raw_input_contents");
        yield return Invalid("raw-and-typed-contents", () => Tensor([1, 3, 224, 224], one).Also(r => r.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { 1f } }), "contents");
        yield return Invalid("typed-fp32-10-values", () => Tensor([1, 3, 224, 224], null).Also(r => r.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { new float[10] } }), "shape");
        foreach (var datatype in new[] { "INT64", "FP16", "FP64", "UINT8", "FP128", "fp32", "" })
        {
            yield return Invalid($"datatype-'{datatype}'", () => Tensor([1, 3, 224, 224], one, datatype), "datatype");
        }

        yield return Invalid("bytes-with-image-shape", () => Tensor([1, 3, 224, 224], OipRequests.LengthPrefixed([Jpeg]), "BYTES"), "shape");
        yield return Invalid("bytes-corrupt-image", () => RealOip.Images(ServiceFactory.Model, HostileImages.Random(21, 900)), "image");
        yield return Invalid("bytes-truncated-jpeg", () => RealOip.Images(ServiceFactory.Model, Jpeg[..(Jpeg.Length / 2)]), "image");
        yield return Invalid("bytes-empty-element", () => RealOip.Images(ServiceFactory.Model, Array.Empty<byte>()), "empty");
        yield return Invalid("bytes-typed-empty-element", () => RealOip.TypedImages(ServiceFactory.Model, Array.Empty<byte>()), "empty");
        yield return Invalid("bytes-bad-image-3-of-4", () => RealOip.Images(ServiceFactory.Model, Jpeg, Jpeg, HostileImages.Random(22, 300), Jpeg), "image");
        yield return Invalid("bytes-truncated-length-prefix", () => Tensor([1], [9, 0], "BYTES"), "BYTES");
        yield return Invalid("bytes-element-claims-4-gib", () => Tensor([1], [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3], "BYTES"), "BYTES");
        yield return Invalid("bytes-shape-3-for-1", () => RealOip.Images(ServiceFactory.Model, Jpeg).Also(r => r.Inputs[0].Shape[0] = 3), "shape");
        yield return Invalid("bytes-shape-int64-max", () => RealOip.Images(ServiceFactory.Model, Jpeg).Also(r => r.Inputs[0].Shape[0] = long.MaxValue), "shape");
        yield return new("bytes-png-bomb", () => RealOip.Images(ServiceFactory.Model, HostileImages.All["png-bomb-100000x100000"].Bytes), HostileExpectations.PixelLimitGrpc, "limit");
        yield return Invalid($"bytes-{HostileExpectations.ImagesOverTest18Capacity}-images-over-test18-capacity",
            () => RealOip.Images(ServiceFactory.Model, [.. Enumerable.Repeat(Jpeg, HostileExpectations.ImagesOverTest18Capacity)]), null);
        yield return Invalid($"fp32-{HostileExpectations.ImagesOverTest18Capacity}-images-over-test18-capacity",
            () => Tensor([HostileExpectations.ImagesOverTest18Capacity, 3, 224, 224], Floats(HostileExpectations.ImagesOverTest18Capacity)), null);

        yield return Invalid("no-inputs", () => new ModelInferRequest { ModelName = ServiceFactory.Model }, "input");
        yield return Invalid("input-named-pixels", () => RealOip.Images(ServiceFactory.Model, Jpeg).Also(r => r.Inputs[0].Name = "pixels"), "input");
        yield return Invalid("two-inputs", () => RealOip.Images(ServiceFactory.Model, Jpeg).Also(r =>
        {
            r.Inputs.Add(r.Inputs[0].Clone());
            r.RawInputContents.Add(r.RawInputContents[0]);
        }), "input");
        yield return Invalid("output-unknown-name", () => RealOip.Images(ServiceFactory.Model, Jpeg).WithOutput("nope"), "nope");
        yield return Invalid("output-name-10000-chars", () => RealOip.Images(ServiceFactory.Model, Jpeg).WithOutput(new string('o', 10_000)), "output");
        yield return Invalid("classification-negative", () => WithClassification(new InferParameter { Int64Param = -1 }), "classification");
        yield return Invalid("classification-a-string", () => WithClassification(new InferParameter { StringParam = "5" }), "classification");
        yield return Invalid("classification-a-bool", () => WithClassification(new InferParameter { BoolParam = true }), "classification");
        yield return Invalid("classification-uint64-max", () => WithClassification(new InferParameter { Uint64Param = ulong.MaxValue }), "classification");

        yield return new("model-unknown", () => RealOip.Images("resnet9000", Jpeg), StatusCode.NotFound, "resnet9000");
        yield return new("model-10000-chars", () => RealOip.Images(new string('m', 10_000), Jpeg), StatusCode.NotFound, "model");
        yield return new("model-path-traversal", () => RealOip.Images("../../etc/passwd", Jpeg), StatusCode.NotFound, "model");
        yield return new("model-unicode", () => RealOip.Images("модель-😀", Jpeg), StatusCode.NotFound, "model");
        yield return new("version-unknown", () => RealOip.Images(ServiceFactory.Model, Jpeg).Also(r => r.ModelVersion = "99"), StatusCode.NotFound, "version");
        yield return new("version-10000-chars", () => RealOip.Images(ServiceFactory.Model, Jpeg).Also(r => r.ModelVersion = new string('9', 10_000)), StatusCode.NotFound, "version");

        yield return new("fp32-one-NaN-pixel", () => Tensor([1, 3, 224, 224], Floats(1, static v => v[777] = float.NaN)), StatusCode.InvalidArgument, "finite");
        yield return new("fp32-3e38-everywhere", () => Tensor([1, 3, 224, 224], Floats(1, static v => v.AsSpan().Fill(3e38f))), StatusCode.OK, null);
        yield return new("fp32-typed-infinite-pixel", () => Tensor([1, 3, 224, 224], null).Also(r => r.Inputs[0].Contents = new InferTensorContents
        {
            Fp32Contents = { Enumerable.Repeat(0f, Pixels - 1).Prepend(float.NegativeInfinity) },
        }), StatusCode.InvalidArgument, "finite");
        yield return new("fp32-one-NaN-pixel-classification-3", () => Tensor([1, 3, 224, 224], Floats(1, static v => v[777] = float.NaN))
            .WithOutput("probabilities", classification: 3), StatusCode.InvalidArgument, "finite");
    }
}
