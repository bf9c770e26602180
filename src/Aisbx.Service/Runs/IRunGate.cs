namespace Aisbx.Service.Runs;

/// <summary>Admission of runs: a slot per running sandbox, per caller and in all (the server's concurrency caps).</summary>
public interface IRunGate
{
    /// <returns>A slot to dispose when the run is over, or null when the caller must come back later.</returns>
    ValueTask<IDisposable?> EnterAsync(string caller, CancellationToken cancellationToken);
}
