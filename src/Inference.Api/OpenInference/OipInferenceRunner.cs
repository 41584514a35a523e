using Inference.Api.DataPlane;
using Inference.Api.Errors;
using Inference.Api.Observability.Metrics;
using Inference.Engine.Inference;
using Inference.Engine.Models;

namespace Inference.Api.OpenInference;

/// <summary>
/// Runs a ModelInfer request (decoded by either binding) through the data plane. The model's input takes either
/// FP32 <c>[N,3,H,W]</c> (already preprocessed) or BYTES <c>[N]</c> of encoded images (preprocessed exactly as REST
/// does); the N images are fanned out by the data plane so that they batch with every other caller's.
/// </summary>
internal sealed class OipInferenceRunner(InferenceDataPlane plane)
{

    public async Task<OipInferResponse> InferAsync(OipInferRequest request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var model = plane.Resolve(request.ModelName, request.ModelVersion);
        var outputs = OipOutputPlan.For(model, request.Outputs, request.BinaryOutputs);
        var input = SingleInput(model, request.Inputs);
        var options = new InferenceRequestOptions
        {
            Timeout = timeout, Outputs = outputs.EngineOutputs, Version = string.IsNullOrEmpty(request.ModelVersion) ? null : request.ModelVersion,
        };
        using var batch = input.Datatype switch
        {
            OipNames.Fp32 => await RunTensorsAsync(model, input, options, cancellationToken).ConfigureAwait(false),
            OipNames.Bytes => await RunImagesAsync(model, input, options, cancellationToken).ConfigureAwait(false),
            _ => throw OipTensorCodec.Invalid(
                $"Input '{ErrorTable.Echo(input.Name)}' has datatype '{ErrorTable.Echo(input.Datatype)}'; send FP32 [N,3,H,W] tensors or BYTES [N] encoded images."),
        };
        // The version that computed the answer (without one asked for, a swap may have moved routing since Resolve).
        return new OipInferResponse(model.Name, batch.Model.Version, request.Id, outputs.Build(batch));
    }

    private static OipInput SingleInput(ModelDescriptor model, IReadOnlyList<OipInput> inputs)
    {
        if (inputs.Count != 1 || inputs[0].Name != model.InputName)
        {
            var names = string.Join(", ", inputs.Select(static i => $"'{ErrorTable.Echo(i.Name)}'"));
            throw OipTensorCodec.Invalid($"Model '{model.Name}' takes exactly one input, '{model.InputName}'; the request has [{names}].");
        }

        return inputs[0];
    }

    private Task<InferenceBatch> RunTensorsAsync(ModelDescriptor model, OipInput input, InferenceRequestOptions options, CancellationToken ct)
    {
        var shape = input.Shape;
        var expected = model.InputShape;
        if (shape.Length != 4 || shape[0] < 1 || shape[1] != expected[1] || (expected[2] > 0 && shape[2] != expected[2]) || (expected[3] > 0 && shape[3] != expected[3]))
        {
            throw OipTensorCodec.Invalid(
                $"Input '{input.Name}' has shape [{string.Join(",", shape)}]; model '{model.Name}' takes FP32 [{string.Join(",", expected)}].");
        }

        CheckBatch(model, shape[0]);
        var images = input.Fp32 ?? TensorSource.Of(ReadOnlyMemory<float>.Empty, 0);
        var perImage = checked((int)(shape[1] * shape[2] * shape[3]));
        if (images.Count != shape[0] || images.PerImage != perImage)
        {
            throw OipTensorCodec.Invalid(
                $"Input '{input.Name}' has {(long)images.Count * images.PerImage} FP32 values; shape [{string.Join(",", shape)}] needs {(long)perImage * shape[0]}.");
        }

        return plane.RunTensorsAsync(model, images, options, ct);
    }

    private Task<InferenceBatch> RunImagesAsync(ModelDescriptor model, OipInput input, InferenceRequestOptions options, CancellationToken ct)
    {
        var images = input.Bytes ?? [];
        if (input.Shape.Length != 1 || input.Shape[0] != images.Count || images.Count == 0)
        {
            throw OipTensorCodec.Invalid(
                $"Input '{input.Name}' of BYTES must have shape [N] with N encoded images; got shape [{string.Join(",", input.Shape)}] and {images.Count} elements.");
        }

        CheckBatch(model, images.Count);
        return plane.RunImagesAsync(model, InferenceEndpoint.Infer, images, options, nameParts: false, ct);
    }

    private static void CheckBatch(ModelDescriptor model, long batch)
    {
        if (model.InputShape[0] > 0 && batch > model.InputShape[0])
        {
            throw OipTensorCodec.Invalid($"Model '{model.Name}' has a fixed batch of {model.InputShape[0]}; the request has {batch}.");
        }
    }
}
