using Google.Protobuf;
using Inference.Contracts.OpenInference;

namespace Inference.Api.OpenInference;

/// <summary>Decodes a gRPC ModelInferRequest and encodes the response (outputs in raw_output_contents, as Triton does).</summary>
internal static class OipGrpcCodec
{
    public static OipInferRequest Decode(ModelInferRequest request)
    {
        if (request.RawInputContents.Count > 0 && request.RawInputContents.Count != request.Inputs.Count)
        {
            throw OipTensorCodec.Invalid(
                $"raw_input_contents has {request.RawInputContents.Count} entries for {request.Inputs.Count} inputs; it needs one per input.");
        }

        var inputs = new List<OipInput>(request.Inputs.Count);
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var tensor = request.Inputs[i];
            var raw = request.RawInputContents.Count > 0 ? request.RawInputContents[i] : null;
            if (raw is not null && tensor.Contents is not null && HasContents(tensor.Contents))
            {
                throw OipTensorCodec.Invalid($"Input '{tensor.Name}' has both contents and raw_input_contents; send one.");
            }

            inputs.Add(tensor.Datatype switch
            {
                OipNames.Fp32 => new OipInput(tensor.Name, tensor.Datatype, [.. tensor.Shape],
                    raw is not null ? OipTensorCodec.ReadFp32(raw.Span, tensor.Name) : [.. tensor.Contents?.Fp32Contents ?? []], null),
                OipNames.Bytes => new OipInput(tensor.Name, tensor.Datatype, [.. tensor.Shape], null,
                    raw is not null ? OipTensorCodec.ReadBytes(raw.Memory, tensor.Name) : [.. (tensor.Contents?.BytesContents ?? []).Select(static b => b.Memory)]),
                _ => new OipInput(tensor.Name, tensor.Datatype, [.. tensor.Shape], null, null),
            });
        }

        var outputs = request.Outputs.Select(static o => new OipRequestedOutput(o.Name, ClassificationCount(o.Name, o.Parameters), BinaryData: true)).ToList();
        return new OipInferRequest(request.ModelName, request.ModelVersion, request.Id, inputs, outputs);
    }

    public static ModelInferResponse Encode(OipInferResponse response)
    {
        var message = new ModelInferResponse { ModelName = response.ModelName, ModelVersion = response.ModelVersion, Id = response.Id };
        foreach (var output in response.Outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.Datatype };
            tensor.Shape.AddRange(output.Shape);
            message.Outputs.Add(tensor);
            message.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(
                output.Fp32 is not null ? OipTensorCodec.WriteFp32(output.Fp32) : OipTensorCodec.WriteBytes(output.Bytes ?? [])));
        }

        return message;
    }

    private static int ClassificationCount(string name, IDictionary<string, InferParameter> parameters)
    {
        if (!parameters.TryGetValue(OipNames.ClassificationParameter, out var parameter))
        {
            return 0;
        }

        return parameter.ParameterChoiceCase switch
        {
            InferParameter.ParameterChoiceOneofCase.Int64Param when parameter.Int64Param is > 0 and <= int.MaxValue => (int)parameter.Int64Param,
            InferParameter.ParameterChoiceOneofCase.Uint64Param when parameter.Uint64Param is > 0 and <= int.MaxValue => (int)parameter.Uint64Param,
            _ => throw OipTensorCodec.Invalid($"Output '{name}': the classification parameter must be a positive int64 count."),
        };
    }

    private static bool HasContents(InferTensorContents contents) =>
        contents.Fp32Contents.Count > 0 || contents.BytesContents.Count > 0 || contents.IntContents.Count > 0 ||
        contents.Int64Contents.Count > 0 || contents.UintContents.Count > 0 || contents.Uint64Contents.Count > 0 ||
        contents.Fp64Contents.Count > 0 || contents.BoolContents.Count > 0;
}
