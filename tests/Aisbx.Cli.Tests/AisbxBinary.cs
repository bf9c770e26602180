using System.Diagnostics;

namespace Aisbx.Cli.Tests;

/// <summary>
/// Drives the built <c>aisbx</c> binary as a user would. <c>./test.sh</c> builds it first and exports its path as
/// AISBX_BIN; otherwise the repository's .build/aisbx/aisbx is used.
/// </summary>
public sealed class AisbxBinary : IDisposable
{
    /// <summary>
    /// A config whose runs each build their own sandbox (<c>[pool] resident = false</c>): the specs are about what a
    /// run does, and a resident server per fixture would add a warm pool per test class. ResidentSpecs test the
    /// resident path, and that it answers as this one does.
    /// </summary>
    public AisbxBinary()
        : this(resident: false)
    {
    }

    internal AisbxBinary(bool resident)
    {
        Path = Environment.GetEnvironmentVariable("AISBX_BIN") is { Length: > 0 } fromEnv ? fromEnv : FindInRepository();
        Assert.True(File.Exists(Path), $"aisbx binary not found at {Path}: run ./test.sh, which builds it");
        Directory.CreateDirectory(WorkRoot);
        Directory.CreateDirectory(ConfigDirectory);
        // Lockouts off: specs that try attacks would otherwise lock the rest out (ViolationSpecs test lockouts in a config of their own).
        File.WriteAllText(System.IO.Path.Combine(ConfigDirectory, "config.toml"), $"[workdir]\nallowed_roots = [\"{WorkRoot}\"]\n\n[security]\nlockout_after = 0\n" + (resident ? "" : "\n[pool]\nresident = false\n"));
    }

    public string Path { get; }

    /// <summary>aisbx-run, the front of <c>aisbx run</c> that the checkout's ./aisbx starts, built beside aisbx.</summary>
    public string RunFrontPath => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "aisbx-run");

    public string Root { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aisbx-cli-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public string WorkRoot => System.IO.Path.Combine(Root, "work");

    public string ConfigDirectory => System.IO.Path.Combine(Root, "config");

    public string NewWorkdir()
    {
        var path = System.IO.Path.Combine(WorkRoot, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Runs <c>aisbx --config DIR ARGS...</c> and returns how it ended.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var process = Start(args);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Runs a shell script in which <c>$AISBX</c> is this binary with its config, for what a process cannot set up
    /// itself: closed descriptors (<c>&lt;&amp;-</c>, <c>&gt;&amp;-</c>) and pipelines.
    /// </summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> ShellAsync(string script, string? binary = null)
    {
        var info = new ProcessStartInfo("/bin/bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.Environment["AISBX"] = $"{binary ?? Path} --config {ConfigDirectory}";
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    public Process Start(params string[] args) => StartWithEnvironment(new Dictionary<string, string>(), args);

    /// <summary>Starts <c>aisbx --config DIR ARGS...</c> with these variables added to the test's environment.</summary>
    public Process StartWithEnvironment(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        if (!args.Contains("--config"))
        {
            info.ArgumentList.Add("--config");
            info.ArgumentList.Add(ConfigDirectory);
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
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

    /// <summary>The checkout the tests were built from.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Aisbx.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the tests do not run from an aisbx checkout");
    }

    private static string FindInRepository() => System.IO.Path.Combine(RepositoryRoot(), ".build", "aisbx", "aisbx");
}
