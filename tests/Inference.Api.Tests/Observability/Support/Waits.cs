namespace Inference.Api.Tests.Observability.Support;

internal static class Waits
{
    /// <summary>Polls <paramref name="condition"/> every 5 ms until it holds (fails the test after 30 s).</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            try
            {
                await Task.Delay(5, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }
        }
    }
}
