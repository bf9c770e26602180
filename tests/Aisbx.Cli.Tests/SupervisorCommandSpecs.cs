using System.Diagnostics;

namespace Aisbx.Cli.Tests;

/// <summary>The operator's commands for the supervisor: secrets, keys and the audit log, through the built binary.</summary>
public class SupervisorCommandSpecs(AisbxBinary aisbx) : IClassFixture<AisbxBinary>
{
    private async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string? stdin, Dictionary<string, string> env, params string[] args)
    {
        var info = new ProcessStartInfo(aisbx.Path) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(aisbx.ConfigDirectory);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in env)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(stdin ?? "");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task A_secret_set_from_stdin_reaches_a_run_redacted_and_a_wrong_passphrase_is_one_line()
    {
        var right = new Dictionary<string, string> { ["AISBX_MASTER_PASSWORD"] = "operator passphrase" };
        var wrong = new Dictionary<string, string> { ["AISBX_MASTER_PASSWORD"] = "guess" };

        var set = await RunAsync("s3cr3t-value-42\n", right, "secrets", "set", "DEPLOY_KEY");
        var listed = await RunAsync(null, right, "secrets", "list");
        var run = await RunAsync(null, right, "run", "--secret", "DEPLOY_KEY", "--", "sh", "-c", "echo got:$DEPLOY_KEY; echo ${#DEPLOY_KEY}");
        var refused = await RunAsync(null, wrong, "secrets", "list");

        Assert.Equal(0, set.ExitCode);
        Assert.Equal("DEPLOY_KEY\n", listed.Stdout);
        Assert.Equal("got:[redacted:DEPLOY_KEY]\n15\n", run.Stdout);
        Assert.Equal(125, refused.ExitCode);
        Assert.StartsWith("aisbx: the master passphrase is wrong", refused.Stderr, StringComparison.Ordinal);
        Assert.Single(refused.Stderr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("s3cr3t-value-42", File.ReadAllText(Path.Combine(aisbx.ConfigDirectory, "secrets.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_are_shown_once_stored_as_hashes_and_audited_and_the_audit_log_detects_an_edit()
    {
        var none = new Dictionary<string, string>();
        var created = await RunAsync(null, none, "keys", "create", "--name", "ci-bot", "--expires", "30d", "--scope", "run,read");
        var key = created.Stdout.Trim();
        var listed = await RunAsync(null, none, "keys", "list");
        var revoked = await RunAsync(null, none, "keys", "revoke", "ci-bot");
        var intact = await RunAsync(null, none, "audit", "verify");

        var audit = Directory.GetFiles(Path.Combine(aisbx.ConfigDirectory, "audit"), "audit-*.jsonl").Order().First();
        var lines = await File.ReadAllLinesAsync(audit, TestContext.Current.CancellationToken);
        await File.WriteAllLinesAsync(audit, [.. lines.Select(l => l.Replace("ci-bot", "ci-b0t", StringComparison.Ordinal))], TestContext.Current.CancellationToken);
        var edited = await RunAsync(null, none, "audit", "verify");

        Assert.Equal(0, created.ExitCode);
        Assert.StartsWith("aisbx_", key, StringComparison.Ordinal);
        Assert.DoesNotContain(key, File.ReadAllText(Path.Combine(aisbx.ConfigDirectory, "keys.json")), StringComparison.Ordinal);
        Assert.Contains("ci-bot\trun,read", listed.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, revoked.ExitCode);
        Assert.Equal(0, intact.ExitCode);
        Assert.Contains(lines, l => l.Contains("key-created", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("key-revoked", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(key, StringComparison.Ordinal));
        Assert.Equal(1, edited.ExitCode);
        Assert.Contains("does not match its hash", edited.Stderr, StringComparison.Ordinal);
    }
}
