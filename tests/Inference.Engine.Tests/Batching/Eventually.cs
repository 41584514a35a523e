using Inference.Engine.Batching;

namespace Inference.Engine.Tests.Batching;

internal static class Eventually
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after a generous timeout.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(1);
        }
    }

    /// <summary>Waits until the scheduler loop has handled every wake-up so far and is parked again.</summary>
    public static Task SettledAsync<TItem>(DynamicBatcher<TItem> batcher)
        where TItem : class, IBatchItem =>
        UntilAsync(() => batcher.IsSchedulerParked, "the scheduler is parked");
}
