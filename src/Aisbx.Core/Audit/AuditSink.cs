using System.Threading.Channels;
using Aisbx.Core.Security;

namespace Aisbx.Core.Audit;

/// <summary>
/// Security events into the audit log, without blocking the thread that raised them: queued, written and fsync'd in
/// batches by one background task (a batch is whatever arrived while the last one was written). Dispose waits for
/// every queued event to be on disk.
/// </summary>
public sealed class AuditSink : ISecurityEventSink, IAsyncDisposable, IDisposable
{
    private readonly AuditLog _log;
    private readonly Channel<AuditEntry> _queue = Channel.CreateUnbounded<AuditEntry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public AuditSink(AuditLog log)
    {
        _log = log;
        _writer = Task.Run(WriteAsync);
    }

    public void Publish(SecurityEvent securityEvent) => _queue.Writer.TryWrite(AuditEntry.From(securityEvent));

    public void Publish(AuditEntry entry) => _queue.Writer.TryWrite(entry);

    private async Task WriteAsync()
    {
        var batch = new List<AuditEntry>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < 1024 && _queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            try
            {
                _log.Append(batch);
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"aisbx: cannot write the audit log ({ex.Message}); {batch.Count} event(s) kept only in the server log");
            }

            batch.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
