using System.Diagnostics;

namespace Aisbx.Cli.Tests;

/// <summary>aisbx run by an ordinary user: no setpriv, no ACLs, the sandbox maps that user to uid 1000.</summary>
public class UnprivilegedCallerSpecs(AisbxBinary aisbx) : IClassFixture<AisbxBinary>
{
    private const int Nobody = 65534;

    [Fact]
    public async Task An_unprivileged_user_runs_sandboxes_as_itself()
    {
        Assert.SkipUnless(Environment.UserName == "root", "needs root to become another user for the test");
        var home = Path.Combine(aisbx.Root, "nobody-home");
        var workdir = Path.Combine(home, "work");
        Directory.CreateDirectory(workdir);
        var binary = Path.Combine(home, "aisbx");
        File.Copy(aisbx.Path, binary);
        var launcher = Path.Combine(home, "aisbx-launch");
        File.Copy(Path.Combine(Path.GetDirectoryName(aisbx.Path)!, "aisbx-launch"), launcher);
        foreach (var path in new[] { aisbx.Root, home, workdir, binary, launcher })
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.OtherExecute | UnixFileMode.OtherRead);
        }

        Chown(home, workdir, binary, launcher);

        var info = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var arg in new[] { $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "--", "env", "-i", $"HOME={home}", $"TMPDIR={home}", $"AISBX_ROOTFS={Environment.GetEnvironmentVariable("AISBX_ROOTFS")}", binary, "run", "-w", workdir, "--", "sh", "-c", "id -u; echo made > f" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0, stderr);
        Assert.Equal("1000\n", stdout);
        Assert.Equal((uint)Nobody, Owner(Path.Combine(workdir, "f")));
    }

    private static void Chown(params string[] paths)
    {
        using var chown = Process.Start("chown", ["-R", $"{Nobody}:{Nobody}", .. paths])!;
        chown.WaitForExit();
    }

    private static uint Owner(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true })!;
        var text = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return uint.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }
}
