namespace Inference.Engine.Batching;

public enum DropReason
{
    Cancelled,
    DeadlineExceeded,
    ShuttingDown,
}
