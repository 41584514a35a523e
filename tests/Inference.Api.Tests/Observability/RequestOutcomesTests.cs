using Inference.Api.Observability.Metrics;

namespace Inference.Api.Tests.Observability;

public sealed class RequestOutcomesTests
{
    [Theory]
    [InlineData(200, RequestOutcome.Ok)]
    [InlineData(204, RequestOutcome.Ok)]
    [InlineData(400, RequestOutcome.ClientError)]
    [InlineData(404, RequestOutcome.ClientError)]
    [InlineData(413, RequestOutcome.ClientError)]
    [InlineData(415, RequestOutcome.ClientError)]
    [InlineData(429, RequestOutcome.Rejected)]
    [InlineData(503, RequestOutcome.Rejected)]
    [InlineData(504, RequestOutcome.Timeout)]
    [InlineData(500, RequestOutcome.Error)]
    [InlineData(502, RequestOutcome.Error)]
    public void FromHttpStatus_Status_MapsToOutcome(int status, RequestOutcome expected) =>
        Assert.Equal(expected, RequestOutcomes.FromHttpStatus(status));

    [Theory]
    [InlineData(0, RequestOutcome.Ok)]
    [InlineData(1, RequestOutcome.ClientError)]
    [InlineData(3, RequestOutcome.ClientError)]
    [InlineData(5, RequestOutcome.ClientError)]
    [InlineData(8, RequestOutcome.Rejected)]
    [InlineData(14, RequestOutcome.Rejected)]
    [InlineData(4, RequestOutcome.Timeout)]
    [InlineData(13, RequestOutcome.Error)]
    [InlineData(2, RequestOutcome.Error)]
    public void FromGrpcStatus_Code_MapsToOutcome(int code, RequestOutcome expected) =>
        Assert.Equal(expected, RequestOutcomes.FromGrpcStatus(code));
}
