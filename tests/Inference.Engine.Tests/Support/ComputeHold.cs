using Inference.Engine.Runtime;

namespace Inference.Engine.Tests.Support;

/// <summary>Holds all turns of a <see cref="ComputeGate"/> until disposed (or released early).</summary>
internal sealed class ComputeHold : IDisposable
{
    private readonly List<ComputeGate.Releaser> _turns = [];

    public ComputeHold(ComputeGate gate)
    {
        for (var i = 0; i < gate.ConcurrentRuns; i++)
        {
            _turns.Add(gate.Enter());
        }
    }

    public void Dispose()
    {
        foreach (var turn in _turns)
        {
            turn.Dispose();
        }

        _turns.Clear();
    }
}
