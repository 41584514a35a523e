namespace Inference.Engine.Models;

public enum ModelState
{
    Loading,
    Ready,
    Failed,
    Draining,
}
