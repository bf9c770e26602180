using System.Diagnostics;

namespace Aisbx.Sandbox.Tests;

/// <summary>
/// The launcher fails closed: without a well-formed payload, or without aisbx on the other end of its socket, it
/// never starts the program. These run the launcher on the host on purpose: what they check is that it refuses to
/// exec anything, and the program they offer it is a harmless echo.
/// </summary>
public class LauncherTests
{
    private static string Launcher => Environment.GetEnvironmentVariable("AISBX_LAUNCHER")!;

    /// <summary>bash gives the launcher its descriptors: 6 from the payload file, and 7 from /dev/null, which is no socket.</summary>
    private static (int ExitCode, string Stdout, string Stderr) RunLauncher(string payloadPath)
    {
        var info = new ProcessStartInfo("bash", ["-c", "exec \"$0\" 6 7 /bin/echo PROGRAM-RAN 6<\"$1\" 7</dev/null", Launcher, payloadPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr);
    }

    [Fact]
    public void A_malformed_payload_starts_nothing()
    {
        var payload = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(payload, "not a payload"u8.ToArray());

            var (exitCode, stdout, stderr) = RunLauncher(payload);

            Assert.Equal(125, exitCode);
            Assert.DoesNotContain("PROGRAM-RAN", stdout, StringComparison.Ordinal);
            Assert.Contains("payload", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(payload);
        }
    }

    [Fact]
    public void Without_aisbx_to_take_the_listener_the_program_never_starts()
    {
        var payload = Path.GetTempFileName();
        try
        {
            var filter = Seccomp.SeccompProgram.For("default", Core.Profiles.SyscallPolicy.Empty.Apply(["ptrace"], [], []));
            File.WriteAllBytes(payload, Launch.LaunchPayload.Encode(filter, []));

            var (exitCode, stdout, stderr) = RunLauncher(payload);

            Assert.Equal(125, exitCode);
            Assert.DoesNotContain("PROGRAM-RAN", stdout, StringComparison.Ordinal);
            Assert.Contains("listener", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(payload);
        }
    }
}
