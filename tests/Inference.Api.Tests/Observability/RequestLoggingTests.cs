using Inference.Api.Observability.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Serilog.AspNetCore;
using Serilog.Events;

namespace Inference.Api.Tests.Observability;

public sealed class RequestLoggingTests
{
    [Theory]
    [InlineData(200, LogEventLevel.Information)]
    [InlineData(400, LogEventLevel.Information)]
    [InlineData(429, LogEventLevel.Debug)]
    [InlineData(503, LogEventLevel.Warning)]
    [InlineData(504, LogEventLevel.Warning)]
    [InlineData(500, LogEventLevel.Error)]
    public void GetLevel_Status_OverloadRefusalsAtDebug(int status, LogEventLevel expected)
    {
        var context = Context("/v1/models/m/classify");
        context.Response.StatusCode = status;

        Assert.Equal(expected, Level(context));
    }

    [Fact]
    public void GetLevel_GrpcResourceExhaustedInTrailers_Debug()
    {
        var context = Context("/inference.ImageInference/Classify");
        var trailers = new TrailersFeature();
        trailers.Trailers["grpc-status"] = "8";
        context.Features.Set<IHttpResponseTrailersFeature>(trailers);

        Assert.Equal(LogEventLevel.Debug, Level(context));
    }

    [Theory]
    [InlineData("8", LogEventLevel.Debug)]
    [InlineData("5", LogEventLevel.Information)]
    public void GetLevel_GrpcTrailersOnlyResponse_DebugOnlyForResourceExhausted(string grpcStatus, LogEventLevel expected)
    {
        var context = Context("/inference.ImageInference/Classify");
        context.Response.Headers["grpc-status"] = grpcStatus;

        Assert.Equal(expected, Level(context));
    }

    private static DefaultHttpContext Context(string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        return context;
    }

    private static LogEventLevel Level(HttpContext context)
    {
        var options = new RequestLoggingOptions();
        RequestLogging.Configure(options, "/metrics");
        return options.GetLevel(context, 1.0, null);
    }

    private sealed class TrailersFeature : IHttpResponseTrailersFeature
    {
        public IHeaderDictionary Trailers { get; set; } = new HeaderDictionary();
    }
}
