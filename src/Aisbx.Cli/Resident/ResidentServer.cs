using System.Diagnostics;
using System.Text;
using Aisbx.Cli.Commands;
using Aisbx.Core;
using Aisbx.Core.Configuration;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Sandbox;
using Aisbx.Sandbox.Pool;
using Aisbx.Sandbox.Resident;
using Microsoft.Win32.SafeHandles;

namespace Aisbx.Cli.Resident;

/// <summary>
/// The resident server of one config directory: a warm pool, and a socket that only its user can reach, through
/// which <c>aisbx run</c> hands over runs that a pooled sandbox can take. It serves what the caller's own process
/// would run (same binary, same environment, same config and profiles, else it answers <c>stale</c> and ends), and
/// ends by itself after <c>[pool] keep_for</c> without a run, or when its socket or directory goes away.
/// </summary>
internal sealed class ResidentServer(ResidentPlace place, AisbxConfig config, SandboxRunner runner, WarmPool pool) : IDisposable
{
    /// <summary>How often an idle server looks whether it is still wanted: a stat, a few times a minute.</summary>
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);

    private readonly string _build = ResidentPlace.Build();
    private readonly string _environment = ResidentPlace.Environment();
    private readonly string _configStamp = place.ConfigStamp();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CheckoutWatch _checkouts = new();
    private long _lastRun = Stopwatch.GetTimestamp();
    private int _active;
    private ResidentListener? _listener;

    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Stops taking runs (at once, also from a signal handler); runs under way finish.</summary>
    public void Stop()
    {
        _stopping.Cancel();
        Volatile.Read(ref _listener)?.Wake();
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _checkouts.Dispose();
    }

    /// <summary>Serves until it is no longer wanted; each connection on a thread of its own (it spawns and supervises).</summary>
    public void Serve(ResidentListener listener)
    {
        var socketStamp = FileStamp.Of(place.Socket);
        Volatile.Write(ref _listener, listener);
        while (!_stopping.IsCancellationRequested)
        {
            var connection = listener.Accept((int)CheckEvery.TotalMilliseconds);
            if (connection is not null)
            {
                Interlocked.Increment(ref _active);
                new Thread(() => ServeOne(connection)) { IsBackground = true, Name = "aisbx resident run" }.Start();
                continue;
            }

            var idle = Volatile.Read(ref _active) == 0 && Stopwatch.GetElapsedTime(Volatile.Read(ref _lastRun)) > config.Pool.KeepFor;
            if (idle || FileStamp.Of(place.Socket) != socketStamp)
            {
                Stop();
            }
        }

        // Runs under way finish (their callers wait for them); nothing new is taken.
        while (Volatile.Read(ref _active) > 0)
        {
            Thread.Sleep(20);
        }
    }

    private void ServeOne(ResidentConnection connection)
    {
        var descriptors = Array.Empty<int>();
        try
        {
            if (connection.PeerUid != ResidentConnection.OwnUid)
            {
                return;
            }

            if (connection.Receive(ResidentClient.MaxRequestBytes, 3) is not { } message)
            {
                return;
            }

            descriptors = message.Descriptors; // closed below, however many came
            var request = descriptors.Length == 3 ? ResidentWire.DecodeRequest(message.Message) : null;
            if (request is null || request.Command.Length == 0)
            {
                return;
            }

            Volatile.Write(ref _lastRun, Stopwatch.GetTimestamp());
            if (request.Build != _build || place.ConfigStamp() != _configStamp)
            {
                // Another aisbx, or another config: a new server serves it; this one ends.
                Reply(connection, new ResidentReply { Outcome = ResidentReply.StaleOutcome });
                Stop();
                return;
            }

            if (request.Environment != _environment)
            {
                Reply(connection, new ResidentReply { Outcome = ResidentReply.MissedOutcome, Reason = "environment" });
                return;
            }

            if (request.Checkout is { } checkout && _checkouts.IsStale(checkout))
            {
                // The caller hands the run to aisbx, which finds the build stale by itself and rebuilds first.
                Reply(connection, new ResidentReply { Outcome = ResidentReply.MissedOutcome, Reason = "checkout" });
                return;
            }

            var reply = Run(connection, request, descriptors);
            Reply(connection, reply);
        }
#pragma warning disable CA1031 // A bug in one run must not end the server and every other caller's run with it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Reply(connection, Failed("internal-error", $"internal error in the resident server ({ex.GetType().Name}): {ex.Message.Split('\n')[0]}. Please report it"));
        }
        finally
        {
            foreach (var fd in descriptors)
            {
                new SafeFileHandle(fd, ownsHandle: true).Dispose();
            }

            connection.Dispose();
            Volatile.Write(ref _lastRun, Stopwatch.GetTimestamp());
            Interlocked.Decrement(ref _active);
        }
    }

    private ResidentReply Run(ResidentConnection connection, ResidentRequest request, int[] descriptors)
    {
        var run = request.ToRun(CliConfig.Caller);
        var stdout = request.StdoutOpen ? new DescriptorStream(descriptors[1]) : CallerDescriptors.Closed;
        var stderr = request.StderrOpen ? new DescriptorStream(descriptors[2]) : CallerDescriptors.Closed;
        using var stdinPipe = new SafeFileHandle(descriptors[0], ownsHandle: false);
        using var audit = new Core.Audit.RunAuditSink(new Core.Audit.AuditLog(config.AuditDirectory));
        var events = new Core.Security.CompositeSink(new LiveEvents(stderr), audit);
        var io = new RunIo
        {
            StdinPipe = run.CaptureOutput ? null : stdinPipe,
            Stdout = run.CaptureOutput ? null : stdout,
            Stderr = run.CaptureOutput ? null : stderr,
            Events = events,
            Accepted = () => Reply(connection, new ResidentReply { Outcome = ResidentReply.AcceptedOutcome }),
        };

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var work = runner.RunPooledAsync(pool, run, io, cancel.Token);
        connection.WatchWhile(work, cancel);
        try
        {
            var pooled = work.GetAwaiter().GetResult();
            if (pooled.Result is not { } result)
            {
                return new ResidentReply { Outcome = ResidentReply.MissedOutcome, Reason = pooled.MissReason };
            }

            var outWriter = new StreamWriter(stdout, new UTF8Encoding(false)) { AutoFlush = true };
            var errWriter = new StreamWriter(stderr, new UTF8Encoding(false)) { AutoFlush = true };
            return new ResidentReply { Outcome = ResidentReply.RanOutcome, ExitCode = RunReport.Finish(result, run.CaptureOutput, outWriter, errWriter, request.StdoutOpen) };
        }
        catch (PolicyRefusal refusal)
        {
            return new ResidentReply { Outcome = ResidentReply.FailedOutcome, Refused = true, Reason = refusal.Rule, Message = refusal.Message };
        }
        catch (SandboxStartException ex)
        {
            return Failed("sandbox-start", ex.Message);
        }
        catch (SandboxStuckException ex)
        {
            return Failed("sandbox-stuck", ex.Message);
        }
        catch (OperationCanceledException)
        {
            return Failed("interrupted", "interrupted");
        }
        catch (AisbxException ex)
        {
            return Failed("aisbx-error", ex.Message);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ArgumentException or UnauthorizedAccessException)
        {
            return Failed("internal-error", $"internal error ({ex.GetType().Name}): {ex.Message.Split('\n')[0]}. Please report it");
        }
    }

    private static ResidentReply Failed(string rule, string message) => new() { Outcome = ResidentReply.FailedOutcome, Reason = rule, Message = message };

    private static void Reply(ResidentConnection connection, ResidentReply reply) =>
        _ = connection.Send(ResidentWire.Encode(reply), []);
}
