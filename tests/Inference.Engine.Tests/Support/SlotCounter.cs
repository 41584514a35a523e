using Inference.Engine.Runtime;

namespace Inference.Engine.Tests.Support;

internal static class SlotCounter
{
    /// <summary>How many input slots of the model are free: rents them all, then gives them back lowest on top.</summary>
    public static int Free(LoadedModel model)
    {
        var rented = new List<int>();
        for (var slot = model.TryRentSlot(); slot >= 0; slot = model.TryRentSlot())
        {
            rented.Add(slot);
        }

        foreach (var slot in rented.OrderDescending())
        {
            model.ReturnSlot(slot);
        }

        return rented.Count;
    }
}
