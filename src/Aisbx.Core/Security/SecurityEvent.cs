namespace Aisbx.Core.Security;

/// <summary>The kinds of <see cref="SecurityEvent"/>.</summary>
public static class SecurityEventKind
{
    /// <summary>The program tried something its profile forbids (a syscall, for now).</summary>
    public const string Violation = "violation";

    /// <summary>A request was refused before anything started.</summary>
    public const string Refusal = "refusal";

    /// <summary>A run reached one of its resource limits.</summary>
    public const string LimitHit = "limit-hit";

    /// <summary>A caller was locked out after repeated high-severity events.</summary>
    public const string Lockout = "lockout";

    /// <summary>A request to the server carried no valid API key.</summary>
    public const string AuthFailure = "auth-failure";

    /// <summary>An address was locked out after repeated authentication failures, or a key was suspended.</summary>
    public const string Suspension = "suspension";

    /// <summary>A request was over its key's rate limit.</summary>
    public const string RateLimited = "rate-limited";

    public const string KeyCreated = "key-created";

    public const string KeyRevoked = "key-revoked";

    /// <summary>A run was given a secret (by name; the value is never recorded).</summary>
    public const string SecretUsed = "secret-used";

    /// <summary>A call to the service (an MCP tool, a REST endpoint): every call is on the record, whatever came of it.</summary>
    public const string ToolCall = "tool-call";

    /// <summary>
    /// A run changed the git configuration or hooks of the caller's workdir: git runs those as the user on the host
    /// (<c>core.fsmonitor</c> on every <c>git status</c>, hooks on commit), so it is on the record and said at once.
    /// </summary>
    public const string GitConfigChanged = "git-config-changed";

    /// <summary>A live sandbox was created (its handle is the event's sandbox id).</summary>
    public const string SandboxCreated = "sandbox-created";

    /// <summary>A program was started in a live sandbox, in the foreground or the background.</summary>
    public const string SandboxExec = "sandbox-exec";

    /// <summary>A caller wrote or removed a file in a live sandbox.</summary>
    public const string FileWrite = "file-write";

    /// <summary>A live sandbox ended: closed by its owner, the server's stop, or a kill rule.</summary>
    public const string SandboxClosed = "sandbox-closed";

    /// <summary>A live sandbox ended on its own clock: idle, lifetime, CPU time, memory.</summary>
    public const string SandboxExpired = "sandbox-expired";

    /// <summary>aisbx removed what a killed aisbx left: a workspace, a cgroup.</summary>
    public const string Sweep = "sweep";

    /// <summary>
    /// A connection through a sandbox's egress proxy (action: <c>allowed</c>, <c>refused</c>, <c>failed</c>), with
    /// its host, port, address and bytes in <see cref="SecurityEvent.Egress"/>.
    /// </summary>
    public const string Egress = "egress";
}

/// <summary>
/// One security-relevant thing that happened: a violation, a refusal, a limit hit or a lockout. The audit log,
/// the metrics and MCP notifications consume these; none carries a secret.
/// </summary>
/// <param name="Kind">One of <see cref="SecurityEventKind"/>.</param>
/// <param name="Detail">What exactly: the syscall's name, the rule refused, the limit reached.</param>
/// <param name="Action">What aisbx did: <c>denied</c>, <c>killed</c>, <c>refused</c>, <c>stopped</c>, <c>locked-out</c>.</param>
/// <param name="SandboxId">The sandbox it happened in; null for a refusal (no sandbox was made).</param>
/// <param name="Caller">Who asked for the run (an API key's name, an MCP session, the local user).</param>
public sealed record SecurityEvent(
    string Kind,
    string Detail,
    Severity Severity,
    string Action,
    string? SandboxId,
    string Profile,
    string Caller,
    DateTimeOffset Time)
{
    /// <summary>For an <see cref="SecurityEventKind.Egress"/> event: the connection.</summary>
    public Runs.NetworkConnection? Egress { get; init; }
}

/// <summary>Where security events go as they happen. Called from the thread that supervises the sandbox: keep it quick.</summary>
public interface ISecurityEventSink
{
    void Publish(SecurityEvent securityEvent);
}
