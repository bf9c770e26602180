using Aisbx.Core.Runs;

namespace Aisbx.Service.Runs;

/// <summary>Watches runs for the metrics: how many are running, how each ended.</summary>
public interface IRunObserver
{
    IDisposable Running();

    void Finished(RunResult result);

    /// <summary>A one-shot run took a sandbox of the warm pool (<paramref name="missReason"/> null), or why it did not.</summary>
    void Pooled(string? missReason);
}
