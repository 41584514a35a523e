namespace Inference.Engine.Tests.Support;

/// <summary>Waits for a condition that another thread makes true (not a timing assertion: the limit only stops a hang).</summary>
internal static class Eventually
{
    public static async Task True(Func<bool> condition, string what, int timeoutSeconds = 20)
    {
        var limit = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > limit)
            {
                Assert.Fail($"Gave up after {timeoutSeconds}s waiting for: {what}.");
            }

            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }
}
