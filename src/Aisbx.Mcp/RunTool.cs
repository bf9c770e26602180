using System.Text.Json;
using Aisbx.Core.Runs;
using Aisbx.Service;
using Aisbx.Service.Runs;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Mcp;

/// <summary>
/// <c>aisbx-run</c>: runs a command or a snippet in a fresh sandbox and returns the result document. A run that
/// fails (non-zero exit, timeout, violation) is a normal result carrying the data; a refused request is a tool
/// error whose text names the rule and the fix.
/// </summary>
public sealed class RunTool(ServiceContext context) : AisbxTool(
    "aisbx-run",
    "Run code in a sandbox",
    "Runs a command, or a snippet of code, in an isolated Linux sandbox (no network by default, read-only system, " +
    "one writable /workspace, CPU/memory/time limits, dangerous syscalls refused) and returns its exit code, stdout, " +
    "stderr, limit hits and security violations. Give either 'command' (an array of strings) or 'code' with " +
    "'language'. Use 'files' to place source files in the fresh workspace first. Each call gets a new sandbox: " +
    "nothing persists between calls unless a 'workdir' is given.",
    ToolSchemas.RunInput,
    ToolSchemas.RunOutput,
    // With a workdir, the program may change or delete the caller's files; each run is new (not idempotent); and
    // where a profile allows the host network or an allowlist, it may reach the internet.
    new ToolHints(ReadOnly: false, Destructive: true, Idempotent: false, OpenWorld: HostNetworkPossible(context)),
    """{"command": ["ls", "-la"]}""")
{
    private readonly RunService _runs = new(context);

    protected override async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var caller = CallerIdentity.From(request.User, Callers.Of(request.Server));
        var outcome = await _runs.RunAsync(request.Params?.Arguments?.AsReadOnly(), caller, JsonVocabulary.Tool, new ClientNotifications(request.Server), cancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            return Refused(outcome.Refusal);
        }

        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = ResultText.Summarize(outcome.Value) }],
            StructuredContent = JsonSerializer.SerializeToElement(outcome.Value, AisbxJsonContext.Default.RunResult),
            IsError = false,
        };
    }

    /// <summary>Whether any profile lets a run reach beyond the sandbox (host or allowlist); when the profiles cannot be read, assume so.</summary>
    internal static bool HostNetworkPossible(ServiceContext context)
    {
        try
        {
            return context.Runner.Profiles.All().Any(p => p.AllowedNetworks.Any(n => n != Core.Profiles.NetworkMode.None));
        }
        catch (Core.AisbxException)
        {
            return true;
        }
    }
}
