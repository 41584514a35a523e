using System.Text.Json;
using System.Text.Json.Nodes;
using Inference.Engine.Configuration;
using Inference.Engine.Models;
using Inference.Onnx.ResNet;

namespace Inference.Engine.Quantization;

/// <summary>
/// Quantizes a repository model into a new model folder, <c>&lt;repo&gt;/&lt;output&gt;/model.onnx</c>, beside it:
/// its config.json is the source's with <c>"precision": "int8"</c>, and its labels.txt and preprocessGraph are copied. A model
/// served from demo weights (no model.onnx, an <c>architecture</c> in config) is built first, as the engine does.
/// </summary>
public static class RepositoryQuantizer
{
    /// <summary>config.json's precision and keys of quantization at load: replaced, or left out of the quantized model's config.</summary>
    private static readonly string[] ReplacedKeys = ["precision", "calibration", "calibrationMethod", "calibrationPercentile", "calibrationImages", "weightBits"];

    public static (QuantizationResult Result, string ModelPath) Quantize(
        string repositoryRoot, string model, string outputModel, QuantizationSettings settings, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var repository = new ModelRepository(repositoryRoot);
        if (!ModelRepository.IsValidName(outputModel) || outputModel == model)
        {
            throw new ModelConfigException($"'{outputModel}' is not a valid new model name (letters, digits, '.', '_', '-'; not the source's).");
        }

        var source = repository.Resolve(model);
        var config = source.Config;
        string? temporary = null;
        var modelPath = source.ModelPath;
        if (modelPath is null)
        {
            ResNetArchitectures.TryGetDepth(config.Architecture!, out var depth);
            temporary = Directory.CreateTempSubdirectory("quantize-demo-").FullName;
            modelPath = Path.Combine(temporary, ModelRepository.ModelFileName);
            ResNetBuilder.Write(new ResNetSpec(depth) { Seed = config.DemoSeed }, modelPath);
        }

        try
        {
            var result = ModelQuantizer.Quantize(
                modelPath,
                ModelQuantizer.PreprocessingFor(config, source.PreprocessGraphPath is not null),
                settings with { EmbeddingTensor = settings.EmbeddingTensor ?? config.EmbeddingTensor, PreprocessGraph = source.PreprocessGraphPath },
                progress);
            var outputDirectory = Path.Combine(repository.Root, outputModel);
            var outputPath = Path.Combine(outputDirectory, ModelRepository.ModelFileName);
            ModelQuantizer.Write(result.Model, outputPath);
            WriteConfig(Beside(ModelRepository.ConfigFileName, source, repository), Path.Combine(outputDirectory, ModelRepository.ConfigFileName));
            if (Beside(ModelRepository.LabelsFileName, source, repository) is { } labels)
            {
                File.Copy(labels, Path.Combine(outputDirectory, ModelRepository.LabelsFileName), overwrite: true);
            }

            if (source.PreprocessGraphPath is { } preprocessGraph)
            {
                File.Copy(preprocessGraph, Path.Combine(outputDirectory, Path.GetFileName(preprocessGraph)), overwrite: true);
            }

            return (result, outputPath);
        }
        finally
        {
            if (temporary is not null)
            {
                Directory.Delete(temporary, recursive: true);
            }
        }
    }

    private static void WriteConfig(string? sourceConfig, string path)
    {
        var node = sourceConfig is null
            ? new JsonObject()
            : JsonNode.Parse(
                File.ReadAllText(sourceConfig),
                documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
              ?? throw new ModelConfigException($"{sourceConfig}: not a JSON object.");

        // The output is quantized already: no calibration at load, nor its settings (which need "calibration"). Keys are
        // matched as the config loader reads them, ignoring case.
        foreach (var key in node.Select(p => p.Key).Where(k => ReplacedKeys.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList())
        {
            node.Remove(key);
        }

        node["precision"] = ModelConfig.Int8Precision;
        File.WriteAllText(path, node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);
    }

    private static string? Beside(string fileName, ModelSource source, ModelRepository repository)
    {
        var inVersion = Path.Combine(source.Directory, fileName);
        if (File.Exists(inVersion))
        {
            return inVersion;
        }

        var inModel = Path.Combine(repository.Root, source.Name, fileName);
        return File.Exists(inModel) ? inModel : null;
    }
}
