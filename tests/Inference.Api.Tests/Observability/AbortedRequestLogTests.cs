using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Inference.Api.Tests.Observability.Support;
using Inference.Api.Tests.Support;
using Serilog.Events;

namespace Inference.Api.Tests.Observability;

/// <summary>An upload the client aborts is logged as aborted (499, nginx's "client closed request"), not as answered 200.</summary>
[Collection(ObservabilityTests.Name)]
public sealed class AbortedRequestLogTests(ObservedService service)
{
    private const string Classify = $"/v1/models/{ObservedServiceFactory.Model}/classify";

    [Fact]
    public async Task Classify_UploadResetMidBody_IsLoggedAsAborted()
    {
        var ct = TestContext.Current.CancellationToken;
        var before = service.Logs.Events.Count;
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(service.Factory.Address.Host, service.Factory.Address.Port, ct);
            var head = $"POST {Classify} HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(head), ct);
            await socket.SendAsync(TestImages.Jpeg(90).AsMemory(0, 200), ct);
            await Task.Delay(200, ct);
            // Reset, not a graceful close: the connection is gone, as when a client process dies mid-upload.
            socket.LingerState = new LingerOption(true, 0);
        }

        await Waits.UntilAsync(() => Completion(before) is not null, "the aborted request's completion event is logged");
        Assert.Equal(499, Completion(before));
    }

    private int? Completion(int before) =>
        service.Logs.Events.Skip(before)
            .Where(e => e.Properties.TryGetValue("RequestPath", out var path) && path is ScalarValue { Value: Classify })
            .Where(e => e.Properties.ContainsKey("StatusCode"))
            .Select(e => (int?)Convert.ToInt32(((ScalarValue)e.Properties["StatusCode"]).Value, CultureInfo.InvariantCulture))
            .LastOrDefault();
}
