using System.Diagnostics;
using Aisbx.Sandbox.Resident;

namespace Aisbx.Cli.Resident;

/// <summary>Starts the config directory's resident server in the background, unless one holds its lock already.</summary>
internal static class ResidentSpawner
{
    public static void Start(ResidentPlace place, string profile)
    {
        if (Environment.ProcessPath is not { } self || ResidentLock.IsHeld(place.LockFile))
        {
            return;
        }

        // Its stdio are pipes of this process's, closed at once: nothing of the caller's (a terminal, a test's pipe)
        // stays open in a process that outlives the run. It leaves this session by itself.
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["--config", place.ConfigDirectory, "resident", "--warm", profile])
        {
            start.ArgumentList.Add(arg);
        }

        Detached.InheritNothingPastStdio();
        try
        {
            using var process = Process.Start(start);
            process?.StandardInput.Close();
            process?.StandardOutput.Close();
            process?.StandardError.Close();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Only a head start for the next run: this run is done either way.
        }
    }
}
