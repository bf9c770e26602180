using Aisbx.Core.Sandboxes;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Live;

/// <summary>Work posted to the sandbox's thread by callers on any other, and the pipe that wakes its poll.</summary>
public sealed partial class LiveSandbox
{
    private void Post(Action run, Action<Exception> fail)
    {
        lock (_postLock)
        {
            if (!_loopOver)
            {
                _posted.Enqueue((run, fail));
                Wake();
                return;
            }
        }

        fail(new SandboxEndedException(Id, _endReason ?? SandboxEnd.AgentFailed));
    }

    private Task PostAsync(Action run, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                run();
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }, ex => done.TrySetException(ex));
        return done.Task.WaitAsync(cancellationToken);
    }

    private async Task<T> PostAsync<T>(Func<T> run, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                done.TrySetResult(run());
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }, ex => done.TrySetException(ex));
        return await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private unsafe void Wake()
    {
        byte one = 1;
        _ = Interop.Interop.Write(Fd(_wake!.Write), &one, 1);
    }

    private unsafe void RunPosted()
    {
        byte* sink = stackalloc byte[64];
        while (Read(Fd(_wake!.Read), sink, 64) > 0)
        {
        }

        while (_posted.TryDequeue(out var call))
        {
            if (_endReason is not null)
            {
                call.Fail(new SandboxEndedException(Id, _endReason.Value));
                continue;
            }

            call.Run();
        }
    }
}
