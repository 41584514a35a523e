using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Inference.Api.Grpc;

/// <summary>Settings of the gRPC APIs, bound from the <c>Grpc</c> configuration section.</summary>
public sealed class InferenceGrpcOptions
{
    public const string SectionName = "Grpc";

    /// <summary>Largest request message accepted; larger ones fail with RESOURCE_EXHAUSTED.</summary>
    [Range(64 * 1024, int.MaxValue)]
    public int MaxReceiveMessageSize { get; set; } = 32 * 1024 * 1024;

    /// <summary>Largest response message sent.</summary>
    [Range(64 * 1024, int.MaxValue)]
    public int MaxSendMessageSize { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// Requests of one EmbedStream call that may be in flight (read but not yet answered).
    /// 0 means twice the MaxBatchSize of the first request's model.
    /// </summary>
    [Range(0, 4096)]
    public int EmbedStreamWindow { get; set; }

    /// <summary>How often a <c>grpc.health.v1.Health/Watch</c> call re-checks the model catalog.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan HealthWatchInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Serve <c>grpc.reflection.v1alpha</c> so that grpcurl and similar tools work.</summary>
    public bool EnableReflection { get; set; } = true;
}

[OptionsValidator]
internal sealed partial class InferenceGrpcOptionsValidator : IValidateOptions<InferenceGrpcOptions>;
