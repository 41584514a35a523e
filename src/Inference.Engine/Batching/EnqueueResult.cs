namespace Inference.Engine.Batching;

public enum EnqueueResult
{
    Accepted,
    QueueFull,
    ShuttingDown,
}
