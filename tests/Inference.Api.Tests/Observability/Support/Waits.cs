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

    /// <summary>
    /// Waits until <paramref name="condition"/> has held for 100 ms on end: for states that a request passes through
    /// briefly on its way to the one awaited (a rented slot before its image is queued and taken by the executor).
    /// </summary>
    public static async Task SettledAsync(Func<bool> condition, string what)
    {
        while (true)
        {
            await UntilAsync(condition, what);
            var stable = true;
            for (var i = 0; i < 20 && stable; i++)
            {
                await Task.Delay(5);
                stable = condition();
            }

            if (stable)
            {
                return;
            }
        }
    }
}
