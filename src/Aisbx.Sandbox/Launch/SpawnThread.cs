using System.Collections.Concurrent;

namespace Aisbx.Sandbox.Launch;

/// <summary>
/// Starts every child from one long-lived thread. bubblewrap's <c>--die-with-parent</c> uses PR_SET_PDEATHSIG, which
/// fires when the <em>thread</em> that spawned the child exits; a thread-pool thread may retire mid-run and would
/// take the sandbox with it.
/// </summary>
internal static class SpawnThread
{
    private static readonly BlockingCollection<Action> Work = [];

    static SpawnThread()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "aisbx-spawn" };
        thread.Start();
    }

    /// <summary>Runs <paramref name="action"/> on the spawn thread; awaiting it never spins a core the child needs.</summary>
    public static Task<T> RunAsync<T>(Func<T> action)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Work.Add(() =>
        {
            try
            {
                completion.SetResult(action());
            }
            catch (Exception ex)
            {
                completion.SetException(ex);
            }
        });
        return completion.Task;
    }

    private static void Loop()
    {
        foreach (var action in Work.GetConsumingEnumerable())
        {
            action();
        }
    }
}
