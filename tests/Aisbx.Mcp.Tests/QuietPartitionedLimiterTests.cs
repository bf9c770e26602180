using System.Threading.RateLimiting;
using Aisbx.Service.Limits;

namespace Aisbx.Mcp.Tests;

/// <summary>The server's partitioned limits without the library's 100 ms heartbeat: each partition's limit holds, and idle ones go.</summary>
public sealed class QuietPartitionedLimiterTests
{
    [Fact]
    public void Each_partition_has_its_own_window()
    {
        using var limiter = new QuietPartitionedLimiter<string>(caller => caller, _ => Window(permits: 2));

        bool[] granted = [.. new[] { "a", "a", "a", "b" }.Select(caller => limiter.AttemptAcquire(caller).IsAcquired)];

        Assert.Equal([true, true, false, true], granted);
    }

    [Fact]
    public void Many_callers_do_not_grow_it_without_bound_and_a_partition_in_use_is_kept()
    {
        // Arrange: one caller holds its only permit; partitions count as idle at once.
        using var limiter = new QuietPartitionedLimiter<string>(caller => caller, _ => new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 0 }), TimeSpan.Zero);
        using var held = limiter.AttemptAcquire("held");

        // Act
        for (var i = 0; i < 1000; i++)
        {
            limiter.AttemptAcquire("caller-" + i).Dispose();
        }

        // Assert
        Assert.True(held.IsAcquired);
        Assert.InRange(limiter.Partitions, 1, QuietPartitionedLimiter<string>.SweepAbove + 1);
        Assert.False(limiter.AttemptAcquire("held").IsAcquired);
    }

    private static SlidingWindowRateLimiter Window(int permits) => new(new SlidingWindowRateLimiterOptions
    {
        PermitLimit = permits,
        Window = TimeSpan.FromMinutes(1),
        SegmentsPerWindow = 6,
        QueueLimit = 0,
    });
}
