using System.Threading.RateLimiting;
using Aisbx.Core.Configuration;
using Aisbx.Service.Limits;
using Aisbx.Service.Runs;

namespace Aisbx.Server;

/// <summary>
/// The caps on running sandboxes: a few per caller and a few more in all, each with a short queue; a burst past them
/// is refused (the caller is told to retry) rather than left to starve the host.
/// </summary>
public sealed class RunGate(ServerSettings settings) : IRunGate, IDisposable
{
    private readonly ConcurrencyLimiter _total = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = settings.MaxRunning,
        QueueLimit = settings.MaxRunning * 16,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private readonly QuietPartitionedLimiter<string> _perCaller = new(caller => caller, _ => new ConcurrencyLimiter(new ConcurrencyLimiterOptions
    {
        PermitLimit = settings.MaxRunningPerKey,
        QueueLimit = settings.MaxRunningPerKey * 32,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    }));

    public async ValueTask<IDisposable?> EnterAsync(string caller, CancellationToken cancellationToken)
    {
        var own = await _perCaller.AcquireAsync(caller, 1, cancellationToken).ConfigureAwait(false);
        if (!own.IsAcquired)
        {
            own.Dispose();
            return null;
        }

        var shared = await _total.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!shared.IsAcquired)
        {
            shared.Dispose();
            own.Dispose();
            return null;
        }

        return new Slot(own, shared);
    }

    public void Dispose()
    {
        _total.Dispose();
        _perCaller.Dispose();
    }

    private sealed class Slot(RateLimitLease own, RateLimitLease shared) : IDisposable
    {
        public void Dispose()
        {
            shared.Dispose();
            own.Dispose();
        }
    }
}
