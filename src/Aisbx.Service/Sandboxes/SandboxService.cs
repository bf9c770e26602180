using System.Text.Json;
using Aisbx.Core;
using Aisbx.Core.Policy;
using Aisbx.Core.Runs;
using Aisbx.Core.Sandboxes;
using Aisbx.Core.Security;
using Aisbx.Sandbox.Live;

namespace Aisbx.Service.Sandboxes;

/// <summary>
/// Live sandboxes for every surface (MCP tools, REST, and through REST the CLI): the scope (<c>run</c>), the owner
/// of each handle, the caps, the operations, and the record of each. A handle of another owner is "not found", in
/// words identical to those for a handle that never existed.
/// </summary>
public sealed class SandboxService(ServiceContext context, SandboxRegistry registry)
{
    private SandboxJournal? _journal;

    public const string NotFound = "not-found";
    public const string Ended = "sandbox-ended";

    public SandboxRegistry Registry => registry;

    /// <summary>At a server's start: learns which handles a killed server left, and starts this server's journal.</summary>
    public void OpenJournal() => _journal ??= SandboxJournal.Open(context.Config.StateDirectory, registry);

    public async Task<ServiceOutcome<SandboxCreated>> CreateAsync(
        CallerIdentity caller, IReadOnlyDictionary<string, JsonElement> arguments, JsonVocabulary words, CancellationToken cancellationToken)
    {
        if (Scope<SandboxCreated>(caller, "create") is { } refused)
        {
            return refused;
        }

        var owner = SandboxOwner.Of(caller);
        LiveSandboxRequest request;
        try
        {
            request = SandboxArguments.Create(arguments, owner, words);
        }
        catch (ToolArgumentException ex)
        {
            return Refuse<SandboxCreated>(caller, "create", ex.Rule, ex.Message);
        }

        if (registry.Reserve(owner) is { } cap)
        {
            Record(caller, "create refused: " + cap.Rule, "refused", request.Profile, null, SecurityEventKind.Refusal);
            return ServiceOutcome.Refused<SandboxCreated>(cap.Rule, cap.Message);
        }

        try
        {
            var sandbox = await context.Runner.StartLiveAsync(request, context.Log, cancellationToken).ConfigureAwait(false);
            _journal?.Created(sandbox.Id, owner);
            registry.Add(sandbox, OnEnded);
            Record(caller, $"sandbox created: {sandbox.Profile}, idle {sandbox.IdleTimeout.TotalSeconds:0}s, lifetime {sandbox.MaxLifetime.TotalSeconds:0}s", "created", sandbox.Profile, sandbox.Id, SecurityEventKind.SandboxCreated);
            return ServiceOutcome.Ok(new SandboxCreated(sandbox.Id, sandbox.Profile, sandbox.CreatedAt, sandbox.ExpiresAt, sandbox.IdleTimeout.TotalSeconds, sandbox.MaxLifetime.TotalSeconds));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            registry.Release(owner);
            return Failure<SandboxCreated>(caller, "create", request.Profile, null, ex, words);
        }
        catch
        {
            registry.Release(owner);
            throw;
        }
    }

    public async Task<ServiceOutcome<SandboxList>> ListAsync(CallerIdentity caller, CancellationToken cancellationToken)
    {
        if (Scope<SandboxList>(caller, "list") is { } refused)
        {
            return refused;
        }

        var statuses = new List<SandboxStatus>();
        foreach (var sandbox in registry.Of(SandboxOwner.Of(caller)))
        {
            try
            {
                statuses.Add(await sandbox.StatusAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (SandboxEndedException)
            {
                // Ended while it was listed.
            }
        }

        context.RecordCall(caller, $"sandbox-list ok: {statuses.Count}", "listed", "-");
        return ServiceOutcome.Ok(new SandboxList([.. statuses]));
    }

    public Task<ServiceOutcome<SandboxStatus>> StatusAsync(CallerIdentity caller, string? handle, CancellationToken cancellationToken) =>
        WithSandbox(caller, handle, "status", (sandbox, token) => sandbox.StatusAsync(token), cancellationToken);

    /// <summary>An exec: the result document in the foreground; with <c>background</c>, the process id at once.</summary>
    public Task<ServiceOutcome<ExecAnswer>> ExecAsync(
        CallerIdentity caller, string? handle, IReadOnlyDictionary<string, JsonElement> arguments, JsonVocabulary words, CancellationToken cancellationToken, IReadOnlyCollection<string>? extra = null) =>
        WithSandbox(caller, handle, "exec", async (sandbox, token) =>
        {
            var (exec, snippet) = SandboxArguments.Exec(arguments, context.Config.RequestLimits, words, extra);
            if (snippet is { } file)
            {
                await sandbox.WriteFileAsync(file.Path, System.Text.Encoding.UTF8.GetBytes(file.Code), 0x1A4, token).ConfigureAwait(false);
            }

            Record(caller, $"exec {(exec.Background ? "started in the background" : "started")}: {exec.Command[0]}", "exec", sandbox.Profile, sandbox.Id, SecurityEventKind.SandboxExec);
            if (exec.Background)
            {
                var started = await sandbox.StartBackgroundAsync(exec, token).ConfigureAwait(false);
                return new ExecAnswer(started.NotStarted, started.NotStarted is null ? new BackgroundStarted(sandbox.Id, started.Pid) : null);
            }

            return new ExecAnswer(await sandbox.ExecAsync(exec, token).ConfigureAwait(false), null);
        }, cancellationToken, words);

    public Task<ServiceOutcome<ProcessOutput>> ReadProcessAsync(CallerIdentity caller, string? handle, int processId, long offset, long stderrOffset, CancellationToken cancellationToken) =>
        WithSandbox(caller, handle, "process-read", (sandbox, _) => Task.FromResult(sandbox.ReadOutput(processId, offset, stderrOffset, 1 << 20)), cancellationToken);

    public Task<ServiceOutcome<RunResult>> WaitProcessAsync(CallerIdentity caller, string? handle, int processId, CancellationToken cancellationToken) =>
        WithSandbox(caller, handle, "process-wait", (sandbox, token) => sandbox.WaitAsync(processId, token), cancellationToken);

    public Task<ServiceOutcome<Done>> WriteStdinAsync(CallerIdentity caller, string? handle, int processId, ReadOnlyMemory<byte> bytes, bool close, CancellationToken cancellationToken) =>
        WithSandbox(caller, handle, "process-stdin", async (sandbox, token) =>
        {
            await sandbox.WriteInputAsync(processId, bytes, close, token).ConfigureAwait(false);
            return Done.Instance;
        }, cancellationToken);

    public Task<ServiceOutcome<Done>> SignalAsync(CallerIdentity caller, string? handle, int processId, string signal, CancellationToken cancellationToken) =>
        WithSandbox(caller, handle, "process-signal", async (sandbox, token) =>
        {
            var number = Signals.Number(signal) ?? throw new ToolArgumentException($"signal '{signal}' is not one aisbx sends: use one of {string.Join(", ", Signals.Names)}");
            await sandbox.SignalAsync(processId, number, token).ConfigureAwait(false);
            return Done.Instance;
        }, cancellationToken);

    public Task<ServiceOutcome<Done>> WriteFileAsync(CallerIdentity caller, string? handle, string path, ReadOnlyMemory<byte> content, uint mode, CancellationToken cancellationToken) =>
        WithSandbox(caller, handle, "file-write", async (sandbox, token) =>
        {
            await sandbox.WriteFileAsync(path, content, mode, token).ConfigureAwait(false);
            Record(caller, $"file written: {Printable(path)} ({content.Length} bytes)", "written", sandbox.Profile, sandbox.Id, SecurityEventKind.FileWrite);
            return Done.Instance;
        }, cancellationToken);

    /// <summary>A file's bytes, or (when the path is a directory) its listing.</summary>
    public Task<ServiceOutcome<FileContent>> ReadFileAsync(CallerIdentity caller, string? handle, string path, CancellationToken cancellationToken) =>
        WithSandbox(caller, handle, "file-read", async (sandbox, token) =>
        {
            try
            {
                return new FileContent(await sandbox.ReadFileAsync(path, context.Config.Sandboxes.MaxReadBytes, token).ConfigureAwait(false), null);
            }
            catch (SandboxFileException ex) when (ex.Rule == "path-is-directory")
            {
                return new FileContent(null, await sandbox.ListAsync(path, token).ConfigureAwait(false));
            }
        }, cancellationToken);

    public Task<ServiceOutcome<FileListing>> ListFilesAsync(CallerIdentity caller, string? handle, string path, CancellationToken cancellationToken) =>
        WithSandbox(caller, handle, "file-list", (sandbox, token) => sandbox.ListAsync(path, token), cancellationToken);

    public Task<ServiceOutcome<Done>> RemoveFileAsync(CallerIdentity caller, string? handle, string path, CancellationToken cancellationToken) =>
        WithSandbox(caller, handle, "file-remove", async (sandbox, token) =>
        {
            await sandbox.RemoveAsync(path, token).ConfigureAwait(false);
            Record(caller, $"file removed: {Printable(path)}", "removed", sandbox.Profile, sandbox.Id, SecurityEventKind.FileWrite);
            return Done.Instance;
        }, cancellationToken);

    public Task<ServiceOutcome<Done>> CloseAsync(CallerIdentity caller, string? handle, CancellationToken cancellationToken) =>
        WithSandbox(caller, handle, "close", async (sandbox, token) =>
        {
            sandbox.Close(SandboxEnd.Closed);
            await registry.WhenGone(sandbox).WaitAsync(token).ConfigureAwait(false);
            return Done.Instance;
        }, cancellationToken);

    /// <summary>Closes every live sandbox (the server is stopping) and waits, up to <paramref name="grace"/>, until they are gone.</summary>
    public async Task StopAllAsync(TimeSpan grace)
    {
        var all = registry.All();
        foreach (var sandbox in all)
        {
            sandbox.Close(SandboxEnd.ServerStopped);
        }

        await Task.WhenAny(Task.WhenAll(all.Select(registry.WhenGone)), Task.Delay(grace)).ConfigureAwait(false);
        _journal?.Dispose();
    }

    private void OnEnded(LiveSandbox sandbox, SandboxEnd reason)
    {
        _journal?.Ended(sandbox.Id);
        var expired = reason is SandboxEnd.Idle or SandboxEnd.Lifetime or SandboxEnd.CpuTime or SandboxEnd.Memory or SandboxEnd.AgentFailed;
        var detail = $"sandbox ended: {reason.Name()}" + (reason == SandboxEnd.AgentFailed && sandbox.AgentLastWords.Length > 0 ? $" ({Printable(sandbox.AgentLastWords.Trim())})" : "");
        context.Log.Publish(new SecurityEvent(
            expired ? SecurityEventKind.SandboxExpired : SecurityEventKind.SandboxClosed, detail,
            reason is SandboxEnd.Violation or SandboxEnd.AgentFailed ? Severity.Medium : Severity.Low,
            reason.Name(), sandbox.Id, sandbox.Profile, sandbox.Owner, DateTimeOffset.UtcNow));
    }

    private async Task<ServiceOutcome<T>> WithSandbox<T>(
        CallerIdentity caller, string? handle, string operation, Func<LiveSandbox, CancellationToken, Task<T>> call, CancellationToken cancellationToken, JsonVocabulary? words = null)
        where T : class
    {
        if (Scope<T>(caller, operation) is { } refused)
        {
            return refused;
        }

        var (sandbox, ended) = registry.Find(handle, SandboxOwner.Of(caller));
        if (sandbox is null)
        {
            return ended is { } reason
                ? Refuse<T>(caller, operation, Ended, reason.Describe(handle!))
                : Refuse<T>(caller, operation, NotFound, NotFoundMessage);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.Runs.Stopping);
        try
        {
            var value = await call(sandbox, linked.Token).ConfigureAwait(false);
            if (operation is not ("exec" or "file-write" or "file-remove"))
            {
                context.RecordCall(caller, $"sandbox {operation} ok", "done", sandbox.Profile, sandbox.Id);
            }

            return ServiceOutcome.Ok(value);
        }
        catch (SandboxEndedException ex)
        {
            return Refuse<T>(caller, operation, Ended, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return Failure<T>(caller, operation, sandbox.Profile, sandbox.Id, ex, words ?? JsonVocabulary.Tool);
        }
    }

    private ServiceOutcome<T> Failure<T>(CallerIdentity caller, string operation, string profile, string? sandboxId, Exception ex, JsonVocabulary words)
        where T : class => ex switch
        {
            ToolArgumentException argument => Refuse<T>(caller, operation, argument.Rule, argument.Message),
            PolicyRefusal refusal => Refuse<T>(caller, operation, refusal.Rule, context.Scrub(refusal.PublicMessageIn(words))),
            SandboxFileException file => Refuse<T>(caller, operation, file.Rule, context.Scrub(file.Message)),
            AisbxException other => Refuse<T>(caller, operation, ServiceRules.Error, context.Scrub(other.Message)),
            OperationCanceledException => Refuse<T>(caller, operation, ServiceRules.Error, "the server is stopping: the call was not finished"),
            _ => FaultRecorded<T>(caller, operation, profile, sandboxId, ex),
        };

    private ServiceOutcome<T> FaultRecorded<T>(CallerIdentity caller, string operation, string profile, string? sandboxId, Exception ex)
        where T : class
    {
        context.RecordCall(caller, $"sandbox {operation} failed: internal-error {ex.GetType().Name}", "failed", profile, sandboxId);
        return ServiceOutcome.Fault<T>("sandbox " + operation, ex);
    }

    private ServiceOutcome<T>? Scope<T>(CallerIdentity caller, string operation)
        where T : class =>
        caller.Allows(Scopes.Run) ? null : Refuse<T>(caller, operation, ServiceRules.Scope, caller.ScopeRefusal(Scopes.Run), prefixed: true);

    private ServiceOutcome<T> Refuse<T>(CallerIdentity caller, string operation, string rule, string message, bool prefixed = false)
        where T : class
    {
        context.RecordCall(caller, $"sandbox {operation} refused: {rule}", "refused", "-");
        return ServiceOutcome.Refused<T>(rule, prefixed ? message : $"refused ({rule}): {message}");
    }

    private void Record(CallerIdentity caller, string detail, string action, string profile, string? sandboxId, string kind) =>
        context.Log.Publish(new SecurityEvent(kind, detail, Severity.Low, action, sandboxId, profile, caller.Name, DateTimeOffset.UtcNow));

    /// <summary>The same words for every handle that is not the caller's: nothing in them tells whether it exists.</summary>
    private const string NotFoundMessage =
        "no such sandbox is here: give the sandboxId that aisbx-sandbox-create (POST /v1/sandboxes) returned, or create a new sandbox";

    private static string Printable(string text) => new([.. text.Take(80).Select(c => char.IsControl(c) || c == '\'' ? '?' : c)]);
}

/// <summary>An exec's answer: a result document (foreground, or a background program that could not start), or the started process.</summary>
public sealed record ExecAnswer(RunResult? Result, BackgroundStarted? Background);

/// <summary>A file's bytes, or a directory's listing.</summary>
public sealed record FileContent(byte[]? Bytes, FileListing? Listing);

/// <summary>The value of an operation that has none to give.</summary>
public sealed record Done
{
    public static Done Instance { get; } = new();
}
