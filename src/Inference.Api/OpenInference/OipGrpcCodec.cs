using Google.Protobuf;
using Google.Protobuf.Collections;
using Inference.Api.DataPlane;
using Inference.Contracts.OpenInference;

namespace Inference.Api.OpenInference;

/// <summary>Decodes a gRPC ModelInferRequest and encodes the response (outputs in raw_output_contents, as Triton does).</summary>
internal static class OipGrpcCodec
{
    /// <summary>
    /// The request as checked tensors, all views of the message (keep it alive while the request runs): FP32 values,
    /// from raw_input_contents or fp32_contents, are copied once, straight into the engine's input slots; BYTES
    /// elements stay slices of the message.
    /// </summary>
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
            inputs.Add(DecodeInput(request.Inputs[i], request.RawInputContents.Count > 0 ? request.RawInputContents[i] : null));
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

    private static OipInput DecodeInput(ModelInferRequest.Types.InferInputTensor tensor, ByteString? raw)
    {
        var name = OipTensorCodec.Echo(tensor.Name);
        var contents = tensor.Contents;
        if (raw is not null && contents is not null && HasContents(contents))
        {
            throw OipTensorCodec.Invalid($"Input '{name}' has both contents and raw_input_contents; send one.");
        }

        OipTensorCodec.CheckDatatype(tensor.Name, tensor.Datatype);
        long[] shape = [.. tensor.Shape];
        var count = OipTensorCodec.ElementCount(tensor.Name, shape);
        if (tensor.Datatype == OipNames.Bytes)
        {
            var elements = raw is not null ? OipTensorCodec.ReadBytes(raw.Memory, tensor.Name) : [.. (contents?.BytesContents ?? []).Select(static b => b.Memory)];
            OipTensorCodec.CheckBytesCount(tensor.Name, shape, elements.Count);
            return new OipInput(tensor.Name, tensor.Datatype, shape, default, elements);
        }

        if (raw is not null)
        {
            if (raw.Length != count * (long)sizeof(float))
            {
                throw OipTensorCodec.Invalid(
                    raw.Length % sizeof(float) == 0
                    ? $"Input '{name}' has {raw.Length / sizeof(float)} FP32 values; shape {OipTensorCodec.Describe(shape)} needs {count}."
                    : $"Input '{name}' has {raw.Length} raw bytes, not a whole number of FP32 values; shape {OipTensorCodec.Describe(shape)} needs {count}.");
            }

            return new OipInput(tensor.Name, tensor.Datatype, shape, OipTensorCodec.Fp32Source(raw.Memory, tensor.Name, shape), null);
        }

        var typed = contents?.Fp32Contents;
        if (typed is null || typed.Count != count)
        {
            throw OipTensorCodec.Invalid(
                $"Input '{name}' has {typed?.Count ?? 0} fp32_contents values; shape {OipTensorCodec.Describe(shape)} needs {count}.");
        }

        for (var i = 0; i < count; i++)
        {
            if (!float.IsFinite(typed[i]))
            {
                throw OipTensorCodec.NonFinite(tensor.Name, i, typed[i]);
            }
        }

        return new OipInput(tensor.Name, tensor.Datatype, shape, new TypedFp32Source(typed, (int)shape[0], count / (int)shape[0]), null);
    }

    /// <summary>fp32_contents, copied from the message straight into each image's slot.</summary>
    private sealed class TypedFp32Source(RepeatedField<float> values, int count, int perImage) : TensorSource(count, perImage)
    {
        public override void Fill(int image, Span<float> slot)
        {
            var first = image * PerImage;
            for (var i = 0; i < slot.Length; i++)
            {
                slot[i] = values[first + i];
            }
        }
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
