using System.Diagnostics;
using System.Globalization;

namespace Inference.Bench;

/// <summary>
/// CPU time (user + system) a process has used: this process, or another one's from <c>/proc/PID/stat</c> (the service
/// under load). CPU per image does not depend on how much of the shared cores the other tenants take, as throughput does.
/// </summary>
internal sealed class CpuClock(int? pid)
{
    public TimeSpan Read()
    {
        if (pid is not { } other)
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime;
        }

        // /proc/PID/stat: "pid (comm) state ..."; utime and stime are fields 14 and 15, in clock ticks (USER_HZ = 100 on Linux).
        var stat = File.ReadAllText($"/proc/{other}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}
