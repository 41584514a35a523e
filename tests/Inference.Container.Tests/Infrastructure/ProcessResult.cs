namespace Inference.Container.Tests.Infrastructure;

/// <summary>Exit code and combined output of a finished process.</summary>
internal sealed record ProcessResult(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The last lines of the output, for messages.</summary>
    public string Tail(int lines = 15) =>
        string.Join('\n', Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));
}
