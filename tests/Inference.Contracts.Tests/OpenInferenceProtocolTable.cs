namespace Inference.Contracts.Tests;

/// <summary>
/// The messages, field names and field numbers that the published Open Inference Protocol / Triton
/// grpc_service.proto defines for the RPCs implemented here, and the subset of Triton's model_config.proto
/// used by ModelConfig. Typed from the published files; the test checks the generated descriptors against it.
/// </summary>
internal static class OpenInferenceProtocolTable
{
    public static readonly IReadOnlyDictionary<string, (string Name, int Number)[]> Messages = new Dictionary<string, (string, int)[]>
    {
        ["inference.ServerLiveRequest"] = [],
        ["inference.ServerLiveResponse"] = [("live", 1)],
        ["inference.ServerReadyRequest"] = [],
        ["inference.ServerReadyResponse"] = [("ready", 1)],
        ["inference.ModelReadyRequest"] = [("name", 1), ("version", 2)],
        ["inference.ModelReadyResponse"] = [("ready", 1)],
        ["inference.ServerMetadataRequest"] = [],
        ["inference.ServerMetadataResponse"] = [("name", 1), ("version", 2), ("extensions", 3)],
        ["inference.ModelMetadataRequest"] = [("name", 1), ("version", 2)],
        ["inference.ModelMetadataResponse"] = [("name", 1), ("versions", 2), ("platform", 3), ("inputs", 4), ("outputs", 5)],
        ["inference.ModelMetadataResponse.TensorMetadata"] = [("name", 1), ("datatype", 2), ("shape", 3)],
        ["inference.InferParameter"] = [("bool_param", 1), ("int64_param", 2), ("string_param", 3), ("double_param", 4), ("uint64_param", 5)],
        ["inference.InferTensorContents"] =
        [
            ("bool_contents", 1), ("int_contents", 2), ("int64_contents", 3), ("uint_contents", 4), ("uint64_contents", 5),
            ("fp32_contents", 6), ("fp64_contents", 7), ("bytes_contents", 8),
        ],
        ["inference.ModelInferRequest"] =
        [
            ("model_name", 1), ("model_version", 2), ("id", 3), ("parameters", 4), ("inputs", 5), ("outputs", 6), ("raw_input_contents", 7),
        ],
        ["inference.ModelInferRequest.InferInputTensor"] = [("name", 1), ("datatype", 2), ("shape", 3), ("parameters", 4), ("contents", 5)],
        ["inference.ModelInferRequest.InferRequestedOutputTensor"] = [("name", 1), ("parameters", 2)],
        ["inference.ModelInferResponse"] = [("model_name", 1), ("model_version", 2), ("id", 3), ("parameters", 4), ("outputs", 5), ("raw_output_contents", 6)],
        ["inference.ModelInferResponse.InferOutputTensor"] = [("name", 1), ("datatype", 2), ("shape", 3), ("parameters", 4), ("contents", 5)],
        ["inference.ModelConfigRequest"] = [("name", 1), ("version", 2)],
        ["inference.ModelConfigResponse"] = [("config", 1)],
        ["inference.ModelStatisticsRequest"] = [("name", 1), ("version", 2)],
        ["inference.StatisticDuration"] = [("count", 1), ("ns", 2)],
        ["inference.InferStatistics"] =
        [
            ("success", 1), ("fail", 2), ("queue", 3), ("compute_input", 4), ("compute_infer", 5), ("compute_output", 6),
        ],
        ["inference.InferBatchStatistics"] = [("batch_size", 1), ("compute_input", 2), ("compute_infer", 3), ("compute_output", 4)],
        ["inference.ModelStatistics"] =
        [
            ("name", 1), ("version", 2), ("last_inference", 3), ("inference_count", 4), ("execution_count", 5), ("inference_stats", 6), ("batch_stats", 7),
        ],
        ["inference.ModelStatisticsResponse"] = [("model_stats", 1)],
        ["inference.ModelRepositoryParameter"] = [("bool_param", 1), ("int64_param", 2), ("string_param", 3), ("bytes_param", 4)],
        ["inference.RepositoryIndexRequest"] = [("repository_name", 1), ("ready", 2)],
        ["inference.RepositoryIndexResponse"] = [("models", 1)],
        ["inference.RepositoryIndexResponse.ModelIndex"] = [("name", 1), ("version", 2), ("state", 3), ("reason", 4)],
        ["inference.RepositoryModelLoadRequest"] = [("repository_name", 1), ("model_name", 2), ("parameters", 3)],
        ["inference.RepositoryModelLoadResponse"] = [],
        ["inference.RepositoryModelUnloadRequest"] = [("repository_name", 1), ("model_name", 2), ("parameters", 3)],
        ["inference.RepositoryModelUnloadResponse"] = [],

        // model_config.proto (the fields this service fills or that describe them)
        ["inference.ModelConfig"] =
        [
            ("name", 1), ("platform", 2), ("backend", 17), ("max_batch_size", 4), ("input", 5), ("output", 6), ("dynamic_batching", 11),
            ("instance_group", 7), ("default_model_filename", 8), ("metric_tags", 10), ("parameters", 14),
        ],
        ["inference.ModelParameter"] = [("string_value", 1)],
        ["inference.ModelInput"] =
        [
            ("name", 1), ("data_type", 2), ("format", 3), ("dims", 4), ("reshape", 5), ("is_shape_tensor", 6), ("allow_ragged_batch", 7), ("optional", 8),
        ],
        ["inference.ModelOutput"] = [("name", 1), ("data_type", 2), ("dims", 3), ("reshape", 5), ("label_filename", 4), ("is_shape_tensor", 6)],
        ["inference.ModelTensorReshape"] = [("shape", 1)],
        ["inference.ModelDynamicBatching"] = [("preferred_batch_size", 1), ("max_queue_delay_microseconds", 2), ("preserve_ordering", 3)],
        ["inference.ModelInstanceGroup"] = [("name", 1), ("kind", 4), ("count", 2), ("gpus", 3)],
    };

    public static readonly IReadOnlyDictionary<string, (string Name, int Number)[]> Enums = new Dictionary<string, (string, int)[]>
    {
        ["inference.DataType"] =
        [
            ("TYPE_INVALID", 0), ("TYPE_BOOL", 1), ("TYPE_UINT8", 2), ("TYPE_UINT16", 3), ("TYPE_UINT32", 4), ("TYPE_UINT64", 5),
            ("TYPE_INT8", 6), ("TYPE_INT16", 7), ("TYPE_INT32", 8), ("TYPE_INT64", 9), ("TYPE_FP16", 10), ("TYPE_FP32", 11),
            ("TYPE_FP64", 12), ("TYPE_STRING", 13), ("TYPE_BF16", 14),
        ],
        ["inference.ModelInput.Format"] = [("FORMAT_NONE", 0), ("FORMAT_NHWC", 1), ("FORMAT_NCHW", 2)],
        ["inference.ModelInstanceGroup.Kind"] = [("KIND_AUTO", 0), ("KIND_GPU", 1), ("KIND_CPU", 2), ("KIND_MODEL", 3)],
    };

    /// <summary>RPC name, request type, response type.</summary>
    public static readonly (string Name, string Input, string Output)[] Methods =
    [
        ("ServerLive", "ServerLiveRequest", "ServerLiveResponse"),
        ("ServerReady", "ServerReadyRequest", "ServerReadyResponse"),
        ("ModelReady", "ModelReadyRequest", "ModelReadyResponse"),
        ("ServerMetadata", "ServerMetadataRequest", "ServerMetadataResponse"),
        ("ModelMetadata", "ModelMetadataRequest", "ModelMetadataResponse"),
        ("ModelInfer", "ModelInferRequest", "ModelInferResponse"),
        ("ModelConfig", "ModelConfigRequest", "ModelConfigResponse"),
        ("ModelStatistics", "ModelStatisticsRequest", "ModelStatisticsResponse"),
        ("RepositoryIndex", "RepositoryIndexRequest", "RepositoryIndexResponse"),
        ("RepositoryModelLoad", "RepositoryModelLoadRequest", "RepositoryModelLoadResponse"),
        ("RepositoryModelUnload", "RepositoryModelUnloadRequest", "RepositoryModelUnloadResponse"),
    ];
}
