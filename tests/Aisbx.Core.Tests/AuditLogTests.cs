using Aisbx.Core.Audit;

namespace Aisbx.Core.Tests;

public class AuditLogTests
{
    private static AuditEntry Entry(int i) => new("violation", $"ptrace #{i}", "high", "denied", "sbx-1", "default", "key:ci", DateTimeOffset.UnixEpoch.AddSeconds(i));

    private static (TempDirectory Dir, AuditLog Log) LogWith(int records, long maxFileBytes = AuditLog.DefaultMaxFileBytes)
    {
        var dir = new TempDirectory();
        var log = new AuditLog(Path.Combine(dir.Path, "audit"), maxFileBytes);
        for (var i = 1; i <= records; i++)
        {
            log.Append([Entry(i)]);
        }

        return (dir, log);
    }

    private static void Rewrite(AuditLog log, Func<List<string>, List<string>> change)
    {
        var file = log.Files()[0];
        File.WriteAllLines(file, change([.. File.ReadAllLines(file)]));
    }

    [Fact]
    public void An_untouched_log_verifies()
    {
        var (dir, log) = LogWith(5);
        using var _ = dir;

        var verdict = AuditVerifier.Verify(log);

        Assert.True(verdict.Intact, verdict.Message);
        Assert.Equal(5, verdict.Records);
    }

    [Fact]
    public void An_edited_record_fails_its_hash()
    {
        var (dir, log) = LogWith(5);
        using var _ = dir;
        Rewrite(log, lines => [.. lines.Select(l => l.Replace("ptrace #3", "ptrace #9", StringComparison.Ordinal))]);

        var verdict = AuditVerifier.Verify(log);

        Assert.False(verdict.Intact);
        Assert.Contains("line 3 does not match its hash", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deleted_record_breaks_the_chain()
    {
        var (dir, log) = LogWith(5);
        using var _ = dir;
        Rewrite(log, lines => [.. lines.Where((_, i) => i != 1)]);

        Assert.Contains("was deleted", AuditVerifier.Verify(log).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reordered_records_break_the_chain()
    {
        var (dir, log) = LogWith(5);
        using var _ = dir;
        Rewrite(log, lines => [lines[0], lines[2], lines[1], lines[3], lines[4]]);

        Assert.False(AuditVerifier.Verify(log).Intact);
    }

    [Fact]
    public void A_cut_tail_is_noticed_through_the_head()
    {
        var (dir, log) = LogWith(5);
        using var _ = dir;
        Rewrite(log, lines => lines[..4]);

        Assert.Contains("cut from the end", AuditVerifier.Verify(log).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rotation_by_size_starts_new_files_that_continue_the_chain()
    {
        var (dir, log) = LogWith(20, maxFileBytes: 600);
        using var _ = dir;

        var verdict = AuditVerifier.Verify(log);

        Assert.True(log.Files().Count > 2);
        Assert.True(verdict.Intact, verdict.Message);
        Assert.Equal(20, verdict.Records);
    }

    [Fact]
    public async Task The_sink_writes_every_event_in_batches_and_flushes_on_dispose()
    {
        using var dir = new TempDirectory();
        var log = new AuditLog(Path.Combine(dir.Path, "audit"));
        await using (var sink = new AuditSink(log))
        {
            for (var i = 0; i < 500; i++)
            {
                sink.Publish(Entry(i));
            }
        }

        var verdict = AuditVerifier.Verify(log);
        Assert.True(verdict.Intact, verdict.Message);
        Assert.Equal(500, verdict.Records);
    }
}
