using Inference.Engine.Runtime;

namespace Inference.Engine.Tests.Support;

internal static class SlotCounter
{
    /// <summary>How many input slots of the model are free (not held by a preprocessing, queued or running request).</summary>
    public static int Free(LoadedModel model) => model.FreeSlots;
}
