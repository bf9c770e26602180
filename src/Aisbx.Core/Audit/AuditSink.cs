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
    private long _written;

    public AuditSink(AuditLog log)
    {
        _log = log;
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Records on disk so far (for tests and metrics).</summary>
    public long Written => Interlocked.Read(ref _written);

    public void Publish(SecurityEvent securityEvent) => _queue.Writer.TryWrite(AuditEntry.From(securityEvent));

    public void Publish(AuditEntry entry) => _queue.Writer.TryWrite(entry);

    /// <summary>Waits until everything published so far is on disk.</summary>
    public async Task FlushAsync()
    {
        while (_queue.Reader.Count > 0 || Interlocked.Read(ref _busy) > 0)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    private long _busy;

    private async Task WriteAsync()
    {
        var batch = new List<AuditEntry>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            Interlocked.Exchange(ref _busy, 1);
            while (batch.Count < 1024 && _queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            try
            {
                _log.Append(batch);
                Interlocked.Add(ref _written, batch.Count);
            }
            catch (IOException ex)
            {
                Console.Error.WriteLine($"aisbx: cannot write the audit log ({ex.Message}); {batch.Count} event(s) kept only in the server log");
            }

            batch.Clear();
            Interlocked.Exchange(ref _busy, 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
