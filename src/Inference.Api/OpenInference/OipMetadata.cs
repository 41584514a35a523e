using System.Reflection;
using Inference.Contracts.OpenInference;
using Inference.Engine.Models;

namespace Inference.Api.OpenInference;

/// <summary>Server and model metadata and Triton's model configuration, shared by both bindings.</summary>
internal static class OipMetadata
{
    public static string ServerVersion { get; } =
        typeof(OipMetadata).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(OipMetadata).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    public static ServerMetadataResponse Server()
    {
        var response = new ServerMetadataResponse { Name = OipNames.ServerName, Version = ServerVersion };
        response.Extensions.AddRange(OipNames.Extensions);
        return response;
    }

    /// <summary>Shapes start with the batch dimension: -1 for a dynamically batched model.</summary>
    public static ModelMetadataResponse Model(ModelDescriptor model)
    {
        var response = new ModelMetadataResponse { Name = model.Name, Platform = OipNames.Platform };
        response.Versions.Add(model.Version);
        var input = new ModelMetadataResponse.Types.TensorMetadata { Name = model.InputName, Datatype = OipNames.Fp32 };
        input.Shape.AddRange(model.InputShape);
        response.Inputs.Add(input);
        foreach (var (name, width) in OipOutputPlan.Available(model))
        {
            var output = new ModelMetadataResponse.Types.TensorMetadata { Name = name, Datatype = OipNames.Fp32 };
            output.Shape.Add(model.InputShape[0]);
            output.Shape.Add(width);
            response.Outputs.Add(output);
        }

        return response;
    }

    /// <summary>
    /// Triton's configuration of the model: for a batched model, max_batch_size and dims without the batch
    /// dimension; for a fixed-shape one, max_batch_size 0 and the full dims.
    /// </summary>
    public static ModelConfig Config(ModelDescriptor model)
    {
        var batched = model.InputShape[0] < 0;
        var config = new ModelConfig
        {
            Name = model.Name,
            Platform = OipNames.Platform,
            Backend = OipNames.Backend,
            MaxBatchSize = batched ? Math.Max(1, model.MaxBatchSize) : 0,
            DynamicBatching = batched ? new ModelDynamicBatching() : null,
        };
        var input = new ModelInput { Name = model.InputName, DataType = DataType.TypeFp32, Format = ModelInput.Types.Format.Nchw };
        input.Dims.AddRange(batched ? model.InputShape.Skip(1) : model.InputShape);
        config.Input.Add(input);
        foreach (var (name, width) in OipOutputPlan.Available(model))
        {
            var output = new ModelOutput { Name = name, DataType = DataType.TypeFp32 };
            if (!batched)
            {
                output.Dims.Add(model.InputShape[0]);
            }

            output.Dims.Add(width);
            config.Output.Add(output);
        }

        config.Parameters.Add("precision", new ModelParameter { StringValue = model.Precision });
        config.InstanceGroup.Add(new ModelInstanceGroup
        {
            Count = 1,
            Kind = string.Equals(model.ExecutionProvider, "CUDA", StringComparison.OrdinalIgnoreCase)
                ? ModelInstanceGroup.Types.Kind.Gpu
                : ModelInstanceGroup.Types.Kind.Cpu,
        });
        return config;
    }
}
