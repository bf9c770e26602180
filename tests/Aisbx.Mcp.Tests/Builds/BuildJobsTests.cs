using Aisbx.Service;
using Aisbx.Service.Builds;

namespace Aisbx.Mcp.Tests.Builds;

/// <summary>The registry of build jobs on its own: what it keeps, and what a build that throws leaves.</summary>
public class BuildJobsTests
{
    private static readonly BuildReport Report = new("p", true, new BuildTree("host", "", null, null), true, 0, [], [], [], null, 0);

    [Fact]
    public async Task Only_the_last_hundred_ended_jobs_can_be_looked_at()
    {
        // Arrange
        using var jobs = new BuildJobs();
        var ids = new List<string>();

        // Act
        for (var i = 0; i < BuildJobs.Kept + 1; i++)
        {
            var (job, _) = jobs.StartOrJoin("p", false, "open", s => s, (_, _) => Task.FromResult((BuildJobState.Succeeded, ServiceOutcome.Ok(Report))))!.Value;
            await job.Ended;
            ids.Add(job.Id);
        }

        // Assert
        Assert.Null(jobs.Find(ids[0], "open"));
        Assert.All(ids.Skip(1), id => Assert.NotNull(jobs.Find(id, "open")));
    }

    [Fact]
    public async Task A_build_that_throws_ends_its_job_as_failed_in_one_line_and_the_next_caller_starts_anew()
    {
        // Arrange
        using var jobs = new BuildJobs();
        var (job, _) = jobs.StartOrJoin("p", false, "open", s => s, (_, _) => throw new InvalidOperationException("/secret/host/path broke"))!.Value;

        // Act
        var outcome = await job.Ended;
        var (next, joined) = jobs.StartOrJoin("p", false, "open", s => s, (_, _) => Task.FromResult((BuildJobState.Succeeded, ServiceOutcome.Ok(Report))))!.Value;

        // Assert
        Assert.Equal(("failed", ServiceRules.Error), (job.Status().State, outcome.Rule));
        Assert.DoesNotContain("/secret", outcome.Refusal, StringComparison.Ordinal);
        Assert.False(joined);
        Assert.NotEqual(job.Id, next.Id);
    }

    [Fact]
    public async Task Once_the_server_stops_no_build_starts_and_running_ones_are_cancelled()
    {
        // Arrange
        using var jobs = new BuildJobs();
        var (running, _) = jobs.StartOrJoin("p", false, "open", s => s, async (_, stopping) =>
        {
            await Task.Delay(Timeout.Infinite, stopping);
            return (BuildJobState.Succeeded, ServiceOutcome.Ok(Report));
        })!.Value;

        // Act
        await jobs.StopAllAsync(TimeSpan.FromMinutes(1));
        var refused = jobs.StartOrJoin("q", false, "open", s => s, (_, _) => Task.FromResult((BuildJobState.Succeeded, ServiceOutcome.Ok(Report))));

        // Assert
        Assert.True(running.Ended.IsCompleted);
        Assert.Null(refused);
    }
}
