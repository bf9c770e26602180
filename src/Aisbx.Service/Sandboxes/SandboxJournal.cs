using System.Security.Cryptography;
using System.Text;
using Aisbx.Sandbox.Host;

namespace Aisbx.Service.Sandboxes;

/// <summary>
/// What a server remembers of its live sandboxes across its own death: a journal per server process in
/// <c>&lt;config&gt;/state/sandboxes/</c>, its first line the process's stamp, then <c>+ HASH OWNER</c> for each
/// sandbox created and <c>- HASH</c> for each that ended. A server that starts reads the journals of dead servers:
/// the sandboxes still open in them ended with their server, and their handles say "server restarted". Handles are
/// kept only as SHA-256 hashes: the journal never holds one that could be used.
/// </summary>
public sealed class SandboxJournal : IDisposable
{
    private readonly StreamWriter? _writer;
    private readonly Lock _lock = new();

    private SandboxJournal(StreamWriter? writer) => _writer = writer;

    /// <summary>Reads (and removes) the journals of dead servers, then opens this process's own.</summary>
    public static SandboxJournal Open(string stateDirectory, SandboxRegistry registry)
    {
        var directory = Path.Combine(stateDirectory, "sandboxes");
        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            foreach (var file in Directory.EnumerateFiles(directory, "*.journal"))
            {
                var lines = File.ReadAllLines(file);
                if (lines.Length == 0 || ProcessStamp.IsAlive(lines[0]))
                {
                    continue;
                }

                registry.RememberRestarted(StillOpen(lines.Skip(1)));
                File.Delete(file);
            }

            var own = Path.Combine(directory, ProcessStamp.OfSelf().Replace(' ', '-') + ".journal");
            var writer = new StreamWriter(new FileStream(own, FileMode.Create, FileAccess.Write, FileShare.Read), Encoding.UTF8) { AutoFlush = true };
            writer.WriteLine(ProcessStamp.OfSelf());
            return new SandboxJournal(writer);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new SandboxJournal(null); // Without a journal, a restarted server says "not found" for old handles.
        }
    }

    public static string Hash(string handle) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(handle)));

    public void Created(string handle, string owner) => Append($"+\t{Hash(handle)}\t{owner}");

    public void Ended(string handle) => Append($"-\t{Hash(handle)}");

    private static IEnumerable<(string Hash, string Owner)> StillOpen(IEnumerable<string> lines)
    {
        var open = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var parts = line.Split('\t');
            if (parts is ["+", var hash, var owner])
            {
                open[hash] = owner;
            }
            else if (parts is ["-", var ended])
            {
                open.Remove(ended);
            }
        }

        return open.Select(pair => (pair.Key, pair.Value));
    }

    private void Append(string line)
    {
        lock (_lock)
        {
            try
            {
                _writer?.WriteLine(line);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // A full disk, or a sandbox that ended after the server's stop closed the journal: it is only lost from the journal.
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer?.Dispose();
        }
    }
}
