using System.Globalization;
using System.Text.Json;
using Aisbx.Core.Runs;
using Aisbx.Service;
using ModelContextProtocol.Protocol;

namespace Aisbx.Mcp.Sandboxes;

/// <summary><c>aisbx-sandbox-create</c>: a live sandbox that stays up between calls; its handle is the answer.</summary>
public sealed class SandboxCreateTool(ServiceContext context) : SandboxTool(
    context,
    "aisbx-sandbox-create",
    "create",
    "Create a live sandbox",
    "Creates a live sandbox that stays up between calls: the same isolation as aisbx-run (no network by default, " +
    "read-only system, syscall filter, limits for the whole sandbox), but /workspace, /tmp and background processes " +
    "persist, so you can write files, run many commands, start a server and query it. Returns a sandboxId to pass " +
    "to aisbx-sandbox-exec, aisbx-file-write, aisbx-file-read, aisbx-file-list, aisbx-process-read and " +
    "aisbx-sandbox-close. It closes itself after its idle timeout (default 10 min without a call) or its maximum " +
    "lifetime (default 1 h); close it when done, since each caller may keep only a few at once.",
    SandboxToolSchemas.CreateInput,
    SandboxToolSchemas.CreateOutput,
    // It starts an empty sandbox: nothing that exists is changed, and a second call makes a second sandbox.
    new ToolHints(ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false),
    """{"profile": "python-dev"}""")
{
    protected override async Task<CallToolResult> CallAsync(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement> arguments, CancellationToken cancellationToken)
    {
        var outcome = await Sandboxes.CreateAsync(caller, arguments, Words, cancellationToken).ConfigureAwait(false);
        return Answer(outcome, created => Answer(
            string.Create(CultureInfo.InvariantCulture, $"created sandbox {created.SandboxId} (profile {created.Profile}); it closes after {created.IdleTimeout:0.#} s without a call, ") +
            string.Create(CultureInfo.InvariantCulture, $"and at {created.CreatedAt.AddSeconds(created.MaxLifetime):u} at the latest. ") +
            "Pass it as sandboxId to the other sandbox tools, and close it with aisbx-sandbox-close when done.",
            JsonSerializer.SerializeToElement(created, AisbxJsonContext.Default.SandboxCreated)));
    }
}
