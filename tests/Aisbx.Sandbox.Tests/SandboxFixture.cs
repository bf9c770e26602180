using System.Text;
using Aisbx.Core.Configuration;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;

namespace Aisbx.Sandbox.Tests;

/// <summary>
/// A private config directory whose only allowed workdir root is a scratch directory, and a runner over it.
/// Every test here starts real sandboxes: real kernel, real bubblewrap.
/// </summary>
public sealed class SandboxFixture : IDisposable
{
    /// <summary>Prepended to every attack probe: it refuses to run anywhere but inside an aisbx sandbox.</summary>
    public const string InsideGuard =
        "[ \"$(cat /proc/sys/kernel/hostname)\" = aisbx ] && [ \"$(id -u)\" = 1000 ] || { echo NOT-IN-SANDBOX; exit 99; }\n";

    public SandboxFixture()
    {
        Directory.CreateDirectory(WorkRoot);
        Directory.CreateDirectory(ConfigDirectory);
        File.WriteAllText(Path.Combine(ConfigDirectory, "config.toml"), $"[workdir]\nallowed_roots = [\"{WorkRoot}\"]\n");
        Directory.CreateDirectory(Path.Combine(ConfigDirectory, "profiles"));
        File.WriteAllText(Path.Combine(ConfigDirectory, "profiles", "tiny-output.toml"),
            "extends = \"default\"\ndescription = \"default with a 4K output cap\"\n[limits]\noutput = \"4K\"\n");
        File.WriteAllText(Path.Combine(ConfigDirectory, "profiles", "small-limits.toml"),
            "extends = \"python-dev\"\ndescription = \"python-dev with small rlimits\"\n[limits]\nfile_size = \"1M\"\nopen_files = 32\ncpu_time = \"1s\"\n");
        File.WriteAllText(Path.Combine(ConfigDirectory, "profiles", "small-limits-default.toml"),
            "extends = \"default\"\ndescription = \"default with small-limits' rlimits\"\n[limits]\nfile_size = \"1M\"\nopen_files = 32\ncpu_time = \"1s\"\n");
        File.WriteAllText(Path.Combine(ConfigDirectory, "profiles", "keys-allowed.toml"),
            "extends = \"python-dev\"\ndescription = \"python-dev with keyrings allowed\"\n[seccomp]\nallow = [\"keyctl\"]\n");
        File.WriteAllText(Path.Combine(ConfigDirectory, "profiles", "ptrace-kills.toml"),
            "extends = \"python-dev\"\ndescription = \"python-dev that ends the sandbox on ptrace\"\n[seccomp]\nkill = [\"ptrace\"]\n");
        File.WriteAllText(Path.Combine(ConfigDirectory, "profiles", "busy.toml"),
            "extends = \"default\"\ndescription = \"default with one second of CPU\"\n[limits]\ncpu_time = \"1s\"\n");
        File.WriteAllText(Path.Combine(ConfigDirectory, "profiles", "misspelled.toml"),
            "extends = \"default\"\ndescription = \"a syscall that does not exist\"\n[seccomp]\ndeny = [\"ptracee\"]\n");
        File.WriteAllText(Path.Combine(ConfigDirectory, "profiles", "unbuildable.toml"),
            "extends = \"default\"\ndescription = \"mounts below a read-only file\"\n[[mounts]]\nsource = \"/etc/hostname\"\ntarget = \"/usr/bin/sh/inner\"\n");
        File.WriteAllText(Path.Combine(ConfigDirectory, "secret.txt"), "TOP-SECRET-CONFIG");
        Config = AisbxConfigLoader.Load(ConfigDirectory);
        Runner = new SandboxRunner(Config, new ProfileCatalog(Config.ProfilesDirectory));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "aisbx-sandbox-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public string WorkRoot => Path.Combine(Root, "work");

    public string ConfigDirectory => Path.Combine(Root, "config");

    public AisbxConfig Config { get; }

    public SandboxRunner Runner { get; }

    public string NewWorkdir()
    {
        var path = Path.Combine(WorkRoot, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    public Task<RunResult> RunAsync(string[] command, string profile = "default", string? workdir = null, string? stdin = null, TimeSpan? timeout = null) =>
        Runner.RunAsync(
            new RunRequest { Command = [.. command], Profile = profile, Workdir = workdir, CaptureOutput = true, WallTime = timeout },
            new RunIo { Stdin = stdin is null ? null : new MemoryStream(Encoding.UTF8.GetBytes(stdin)) },
            TestContext.Current.CancellationToken);

    public Task<RunResult> ShAsync(string script, string profile = "default", string? workdir = null, TimeSpan? timeout = null) =>
        RunAsync(["/bin/sh", "-c", script], profile, workdir, timeout: timeout);

    /// <summary>Runs an escape attempt, after proving from inside that it is in a sandbox.</summary>
    public async Task<RunResult> AttackAsync(string script, string profile = "default", string? workdir = null)
    {
        var result = await ShAsync(InsideGuard + script, profile, workdir);
        Assert.DoesNotContain("NOT-IN-SANDBOX", result.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(99, result.ExitCode);
        return result;
    }

    /// <summary>Python probe, guarded the same way.</summary>
    public async Task<RunResult> PythonAttackAsync(string code, string? workdir = null, string profile = "python-dev")
    {
        var guard = "import os, socket, sys\nassert socket.gethostname() == 'aisbx' and os.getuid() == 1000, 'NOT-IN-SANDBOX'\n";
        var result = await RunAsync(["python3", "-c", guard + code], profile, workdir);
        Assert.DoesNotContain("NOT-IN-SANDBOX", result.Stderr, StringComparison.Ordinal);
        return result;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(nameof(RealSandboxes))]
public sealed class RealSandboxes : ICollectionFixture<SandboxFixture>;
