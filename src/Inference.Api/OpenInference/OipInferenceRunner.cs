using Inference.Engine.Inference;
using Inference.Engine.Models;

namespace Inference.Api.OpenInference;

/// <summary>
/// Runs a ModelInfer request through the shared engine. The model's input takes either FP32 <c>[N,3,H,W]</c>
/// (already preprocessed) or BYTES <c>[N]</c> of encoded images (preprocessed here exactly as REST does);
/// each image is queued on its own so that it batches with every other caller's.
/// </summary>
internal sealed class OipInferenceRunner(IInferenceEngine engine, IModelCatalog catalog)
{
    /// <summary>The model by name and (optional) version; NOT_FOUND otherwise.</summary>
    public ModelDescriptor Resolve(string name, string? version)
    {
        var model = catalog.Find(name)
            ?? throw new InferenceException(InferenceErrorCode.ModelNotFound, $"Model '{name}' is not served here.");
        return string.IsNullOrEmpty(version) || version == model.Version
            ? model
            : throw new InferenceException(InferenceErrorCode.ModelNotFound, $"Model '{name}' has no version '{version}' (it serves version '{model.Version}').");
    }

    public async Task<OipInferResponse> InferAsync(OipInferRequest request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var model = Resolve(request.ModelName, request.ModelVersion);
        var outputs = OipOutputPlan.For(model, request.Outputs, request.BinaryOutputs);
        var input = SingleInput(model, request.Inputs);
        var options = new InferenceRequestOptions { Timeout = timeout, Outputs = outputs.EngineOutputs };
        var results = input.Datatype switch
        {
            OipNames.Fp32 => await RunTensorsAsync(model, input, options, cancellationToken).ConfigureAwait(false),
            OipNames.Bytes => await RunImagesAsync(model, input, options, cancellationToken).ConfigureAwait(false),
            _ => throw OipTensorCodec.Invalid(
                $"Input '{input.Name}' has datatype '{input.Datatype}'; send FP32 [N,3,H,W] tensors or BYTES [N] encoded images."),
        };

        try
        {
            return new OipInferResponse(model.Name, model.Version, request.Id, outputs.Build(results));
        }
        finally
        {
            foreach (var result in results)
            {
                result.Dispose();
            }
        }
    }

    private static OipInput SingleInput(ModelDescriptor model, IReadOnlyList<OipInput> inputs)
    {
        if (inputs.Count != 1 || inputs[0].Name != model.InputName)
        {
            var names = string.Join(", ", inputs.Select(static i => $"'{i.Name}'"));
            throw OipTensorCodec.Invalid($"Model '{model.Name}' takes exactly one input, '{model.InputName}'; the request has [{names}].");
        }

        return inputs[0];
    }

    private Task<InferenceResult[]> RunTensorsAsync(ModelDescriptor model, OipInput input, InferenceRequestOptions options, CancellationToken ct)
    {
        var shape = input.Shape;
        var expected = model.InputShape;
        if (shape.Length != 4 || shape[0] < 1 || shape[1] != expected[1] || (expected[2] > 0 && shape[2] != expected[2]) || (expected[3] > 0 && shape[3] != expected[3]))
        {
            throw OipTensorCodec.Invalid(
                $"Input '{input.Name}' has shape [{string.Join(",", shape)}]; model '{model.Name}' takes FP32 [{string.Join(",", expected)}].");
        }

        CheckBatch(model, shape[0]);
        var values = input.Fp32;
        var perImage = checked((int)(shape[1] * shape[2] * shape[3]));
        if (values.Length != checked(perImage * (int)shape[0]))
        {
            throw OipTensorCodec.Invalid($"Input '{input.Name}' has {values.Length} FP32 values; shape [{string.Join(",", shape)}] needs {perImage * shape[0]}.");
        }

        var memory = values;
        return RunAllAsync((int)shape[0], i => engine.InferTensorAsync(model.Name, memory.Slice(i * perImage, perImage), options, ct));
    }

    private Task<InferenceResult[]> RunImagesAsync(ModelDescriptor model, OipInput input, InferenceRequestOptions options, CancellationToken ct)
    {
        var images = input.Bytes ?? [];
        if (input.Shape.Length != 1 || input.Shape[0] != images.Count || images.Count == 0)
        {
            throw OipTensorCodec.Invalid(
                $"Input '{input.Name}' of BYTES must have shape [N] with N encoded images; got shape [{string.Join(",", input.Shape)}] and {images.Count} elements.");
        }

        CheckBatch(model, images.Count);
        return RunAllAsync(images.Count, i => engine.InferImageAsync(model.Name, images[i], options, ct));
    }

    private static void CheckBatch(ModelDescriptor model, long batch)
    {
        if (model.InputShape[0] > 0 && batch > model.InputShape[0])
        {
            throw OipTensorCodec.Invalid($"Model '{model.Name}' has a fixed batch of {model.InputShape[0]}; the request has {batch}.");
        }
    }

    /// <summary>Starts every item at once (so they share batches), then waits for all; on failure frees what succeeded.</summary>
    private static async Task<InferenceResult[]> RunAllAsync(int count, Func<int, ValueTask<InferenceResult>> run)
    {
        var tasks = new Task<InferenceResult>[count];
        for (var i = 0; i < count; i++)
        {
            tasks[i] = run(i).AsTask();
        }

        try
        {
            return await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            foreach (var task in tasks.Where(static t => t.IsCompletedSuccessfully))
            {
                task.Result.Dispose();
            }

            throw;
        }
    }
}
