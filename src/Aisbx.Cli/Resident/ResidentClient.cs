using Aisbx.Core;
using Aisbx.Core.Policy;
using Aisbx.Core.Runs;
using Aisbx.Sandbox;
using Aisbx.Sandbox.Resident;

namespace Aisbx.Cli.Resident;

/// <summary>
/// <c>aisbx run</c>'s way through the resident server: the run goes to a sandbox of its warm pool, started ahead,
/// with this process's stdout and stderr (the server writes them) and a pipe for stdin (this process feeds it).
/// Anything that keeps the server from taking the run, before it has a sandbox, leaves the run to this process;
/// once it has one, the run happens there or fails, never twice.
/// </summary>
internal static class ResidentClient
{
    /// <summary>The largest request sent: a longer command line runs the usual way.</summary>
    public const int MaxRequestBytes = 60 * 1024;

    public const int MaxReplyBytes = 8 * 1024;

    /// <summary>How long an interrupted run waits for the server's account of it (the program killed) before it gives up.</summary>
    private static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(5);

    /// <summary>Whether a run could use a pooled sandbox at all (a fresh workspace, no secrets, the profile's own network).</summary>
    public static bool Suits(RunRequest request) =>
        request.Workdir is null && request.Secrets.IsEmpty && request.AllowHosts is null && request.Network != Core.Profiles.NetworkMode.Allowlist;

    /// <summary>How a try went: the exit code of a run the server made, or null and whether a server should be started.</summary>
    public readonly record struct Attempt(int? ExitCode, bool NoServer);

    /// <param name="build">The stamp of the aisbx binary this run would otherwise go to (<see cref="ResidentPlace.Build"/>).</param>
    /// <param name="checkout">A checkout whose freshness this process did not check: the server checks it (a stale one is missed).</param>
    public static Attempt TryRun(ResidentPlace place, RunRequest request, string build, string? checkout, CancellationToken cancellationToken)
    {
        if (!FileStamp.IsPrivateDirectory(place.Directory))
        {
            return new Attempt(null, NoServer: true);
        }

        using var connection = ResidentConnection.Connect(place.Socket);
        if (connection is null)
        {
            return new Attempt(null, NoServer: true);
        }

        if (connection.PeerUid != ResidentConnection.OwnUid)
        {
            return new Attempt(null, NoServer: false);
        }

        var message = ResidentWire.Encode(ResidentRequest.From(request, build, ResidentPlace.Environment(), checkout));
        if (message.Length > MaxRequestBytes)
        {
            return new Attempt(null, NoServer: false);
        }

        using var stdin = StdinFeed.Create();
        if (!connection.Send(message, [stdin.ReadEnd, 1, 2]))
        {
            return new Attempt(null, NoServer: false);
        }

        stdin.ReadEndSent();
        // Interrupted (Ctrl-C, SIGTERM): the server sees the hang-up and kills the program, then says how the run
        // ended, as a run made here would (killed: 137); a server that does not answer in time is left.
        using var giveUp = new CancellationTokenSource();
        using var gaveUp = giveUp.Token.Register(connection.Shutdown);
        using var hangUp = cancellationToken.Register(() =>
        {
            connection.HangUp();
            giveUp.CancelAfter(InterruptGrace);
        });
        var reply = Receive(connection, cancellationToken);
        if (reply is null)
        {
            // Gone before it took the run: nothing of it ran and no input was read, so it runs here.
            return new Attempt(null, NoServer: true);
        }

        if (reply.Outcome == ResidentReply.AcceptedOutcome)
        {
            stdin.Start();
            // Gone now, the run may have begun: it is not tried again here.
            reply = Receive(connection, cancellationToken)
                ?? throw new ResidentFailure("resident-server", "the resident server ended during the run; set [pool] resident = false in config.toml to run without it");
        }

        return reply.Outcome switch
        {
            ResidentReply.RanOutcome => new Attempt(reply.ExitCode, NoServer: false),
            ResidentReply.MissedOutcome => new Attempt(null, NoServer: false),
            ResidentReply.StaleOutcome => new Attempt(null, NoServer: true),
            _ when reply.Refused => throw new PolicyRefusal(reply.Reason ?? "refused", reply.Message ?? "refused"),
            _ => throw new ResidentFailure(reply.Reason ?? "internal-error", reply.Message ?? "the resident server failed the run"),
        };
    }

    private static ResidentReply? Receive(ResidentConnection connection, CancellationToken cancellationToken)
    {
        if (connection.Receive(MaxReplyBytes, 0) is { } answer)
        {
            return ResidentWire.DecodeReply(answer.Message);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return null;
    }
}

/// <summary>The resident server failed a run it had taken (or went away): one line, and the rule for <c>--json</c>.</summary>
internal sealed class ResidentFailure(string rule, string message) : AisbxException(message)
{
    public string Rule { get; } = rule;
}
