using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Aisbx.Core.Audit;

/// <summary>
/// The append-only, hash-chained audit log: JSON lines in <c>&lt;config&gt;/audit/audit-NNNNNN.jsonl</c>. Each line is
/// <c>{"seq":N,"prev":H,"event":{...},"hash":SHA256(the line without its hash)}</c>, so that an edited line fails its
/// own hash, and a deleted or moved line breaks the next one's <c>prev</c> or <c>seq</c>; <c>head.json</c> holds
/// the newest seq and hash, so that a cut tail is noticed too. Rotation by size starts a new file that continues
/// the chain. Writers in several processes (CLI runs, the server) take turns through a lock file.
/// </summary>
public sealed class AuditLog(string directory, long maxFileBytes = AuditLog.DefaultMaxFileBytes)
{
    public const long DefaultMaxFileBytes = 16L << 20;
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";
    private const string HashMarker = ",\"hash\":\"";

    public string Directory => directory;

    public string HeadPath => Path.Combine(directory, "head.json");

    /// <summary>Appends entries in order and fsyncs them before returning.</summary>
    public void Append(IReadOnlyCollection<AuditEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        System.IO.Directory.CreateDirectory(directory);
        using var turn = TakeTurn();
        var head = ReadHead();
        var file = head?.File ?? FileName(1);
        var path = Path.Combine(directory, file);
        if (File.Exists(path) && new FileInfo(path).Length >= maxFileBytes)
        {
            file = FileName(int.Parse(file.AsSpan(6, 6), CultureInfo.InvariantCulture) + 1);
            path = Path.Combine(directory, file);
        }

        var seq = head?.Seq ?? 0;
        var prev = head?.Hash ?? Genesis;
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            seq++;
            var line = Line(new AuditBody(seq, prev, entry), out prev);
            text.Append(line).Append('\n');
        }

        using (var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read))
        {
            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        WriteHead(new AuditHead(seq, prev, file));
    }

    /// <summary>The files of the log, oldest first.</summary>
    public IReadOnlyList<string> Files() =>
        System.IO.Directory.Exists(directory)
            ? [.. System.IO.Directory.EnumerateFiles(directory, "audit-*.jsonl").Order(StringComparer.Ordinal)]
            : [];

    public AuditHead? ReadHead()
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(HeadPath), AuditJsonContext.Default.AuditHead);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>A record's line: the body's JSON with the hash of exactly those bytes added as the last member.</summary>
    internal static string Line(AuditBody body, out string hash)
    {
        var json = JsonSerializer.Serialize(body, AuditJsonContext.Default.AuditBody);
        hash = Hash(json);
        return string.Concat(json.AsSpan(0, json.Length - 1), HashMarker, hash, "\"}");
    }

    /// <summary>Splits a line into the JSON its hash covers and the hash it claims; null when it has no hash.</summary>
    internal static (string Body, string Hash)? Split(string line)
    {
        var at = line.LastIndexOf(HashMarker, StringComparison.Ordinal);
        if (at < 0 || !line.EndsWith("\"}", StringComparison.Ordinal))
        {
            return null;
        }

        return (line[..at] + "}", line[(at + HashMarker.Length)..^2]);
    }

    internal static string Hash(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    private static string FileName(int number) => $"audit-{number.ToString("D6", CultureInfo.InvariantCulture)}.jsonl";

    private void WriteHead(AuditHead head)
    {
        var temporary = HeadPath + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            stream.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(head, AuditJsonContext.Default.AuditHead)));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, HeadPath, overwrite: true);
    }

    /// <summary>One writer at a time, across processes: .NET takes an exclusive flock for FileShare.None.</summary>
    private FileStream TakeTurn()
    {
        var lockPath = Path.Combine(directory, ".lock");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 2000)
            {
                Thread.Sleep(5);
            }
        }
    }
}
