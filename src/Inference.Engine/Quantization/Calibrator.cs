using Google.Protobuf;
using Inference.Onnx.Graph;
using Inference.Onnx.Protos;
using Inference.Onnx.Quantization;
using Inference.Preprocessing;
using Microsoft.ML.OnnxRuntime;

namespace Inference.Engine.Quantization;

/// <summary>
/// Runs the FP32 model, with the tensors to quantize added as graph outputs, over calibration images
/// prepared by the service's own <see cref="ImagePreprocessor"/>, and records each tensor's values in a
/// <see cref="RangeCollector"/>. One image per run, in the order given, so the result is reproducible.
/// </summary>
public static class Calibrator
{
    /// <summary>The image files of <paramref name="folder"/> (not recursive), by ordinal name, at most <paramref name="limit"/>.</summary>
    public static IReadOnlyList<string> FindImages(string folder, int limit)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The calibration folder '{folder}' does not exist.");
        }

        string[] extensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif"];
        var images = Directory.EnumerateFiles(folder)
            .Where(f => extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .Take(limit)
            .ToList();
        return images.Count > 0 ? images : throw new InvalidOperationException($"The calibration folder '{folder}' holds no images.");
    }

    /// <summary>Adds the values of <paramref name="tensors"/> over every image to <paramref name="collector"/>; returns the images used.</summary>
    /// <param name="model">The FP32 model (not changed).</param>
    /// <param name="inputName">Its image input.</param>
    /// <param name="spec">How the engine prepares images for this model.</param>
    /// <param name="preprocessGraph">
    /// The model's config.json <c>preprocessGraph</c> (RGB 0-255 NCHW in, the model's input out), run in its own
    /// session in front of the model, or null.
    /// </param>
    /// <param name="progress">Told the number of images done after each.</param>
    public static int Run(
        ModelProto model,
        string modelDirectory,
        string inputName,
        IReadOnlyList<string> tensors,
        IReadOnlyList<string> images,
        PreprocessingSpec spec,
        RangeCollector collector,
        int intraOpThreads,
        string? preprocessGraph = null,
        IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(collector);
        var instrumented = model.Clone();
        var outputs = instrumented.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in tensors.Where(t => !outputs.Contains(t)))
        {
            // No shape: the tensor's rank and sizes are whatever the graph computes.
            instrumented.Graph.Output.Add(new ValueInfoProto
            {
                Name = tensor,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = ElementType.Float } },
            });
        }

        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = Math.Max(1, intraOpThreads),
            InterOpNumThreads = 1,
        };
        options.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", modelDirectory);
        using var session = new InferenceSession(instrumented.ToByteArray(), options);
        using var preprocess = preprocessGraph is null ? null : new InferenceSession(preprocessGraph, options);
        var preprocessInput = preprocess?.InputNames.Single();
        using var runOptions = new RunOptions();
        var input = new float[spec.TensorLength];
        var preprocessor = new ImagePreprocessor();
        var names = tensors.ToArray();
        var done = 0;
        foreach (var image in images)
        {
            try
            {
                preprocessor.Preprocess(File.ReadAllBytes(image), spec, input);
            }
            catch (ImageProcessingException e)
            {
                throw new InvalidOperationException($"Calibration image '{image}' cannot be used: {e.Message}", e);
            }

            using var value = OrtValue.CreateTensorValueFromMemory(input, [1, 3, spec.InputHeight, spec.InputWidth]);
            using var prepared = preprocess?.Run(runOptions, [preprocessInput!], [value], [preprocess.OutputNames[0]]);
            using var results = session.Run(runOptions, [inputName], [prepared?[0] ?? value], names);
            for (var i = 0; i < names.Length; i++)
            {
                collector.Add(names[i], results[i].GetTensorDataAsSpan<float>());
            }

            done++;
            progress?.Report(done);
        }

        return done;
    }
}
