using Grpc.Net.Client;

namespace Inference.Contracts.Grpc;

/// <summary>Creates channels sized for images, matching the service's default message limits.</summary>
public static class InferenceChannel
{
    /// <summary>32 MB: the service's default receive and send limit.</summary>
    public const int DefaultMaxMessageBytes = 32 * 1024 * 1024;

    /// <summary>
    /// A channel to the service's gRPC endpoint (default <c>http://host:8081</c>, cleartext HTTP/2).
    /// Use it with <c>new ImageInference.ImageInferenceClient(channel)</c> or
    /// <c>new GRPCInferenceService.GRPCInferenceServiceClient(channel)</c>.
    /// </summary>
    public static GrpcChannel Create(string address, int maxMessageBytes = DefaultMaxMessageBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageBytes, 1024);
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = maxMessageBytes,
            MaxSendMessageSize = maxMessageBytes,
        });
    }
}
