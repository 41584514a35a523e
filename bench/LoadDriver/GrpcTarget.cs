using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference.Contracts.Grpc;
using Inference.Contracts.Grpc.V1;

namespace Inference.Bench;

/// <summary>Unary <c>ImageInference/Classify</c> (or <c>Embed</c>) on the running service's gRPC port, each call with a deadline.</summary>
internal sealed class GrpcTarget : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly ImageInference.ImageInferenceClient _client;
    private readonly ClassifyRequest _classify;
    private readonly EmbedRequest _embed;
    private readonly bool _isEmbed;
    private readonly TimeSpan _deadline;

    public GrpcTarget(string address, string model, string endpoint, byte[] image, TimeSpan deadline)
    {
        _channel = InferenceChannel.Create(address);
        _client = new ImageInference.ImageInferenceClient(_channel);
        var bytes = ByteString.CopyFrom(image);
        _classify = new ClassifyRequest { Model = model, Image = bytes };
        _embed = new EmbedRequest { Model = model, Image = bytes };
        _isEmbed = endpoint == "embed";
        _deadline = deadline;
    }

    public async Task<bool> SendAsync(CancellationToken cancellationToken)
    {
        try
        {
            var deadline = DateTime.UtcNow + _deadline;
            if (_isEmbed)
            {
                await _client.EmbedAsync(_embed, deadline: deadline, cancellationToken: cancellationToken);
            }
            else
            {
                await _client.ClassifyAsync(_classify, deadline: deadline, cancellationToken: cancellationToken);
            }

            return true;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException)
        {
            return false;
        }
    }

    public void Dispose() => _channel.Dispose();
}
