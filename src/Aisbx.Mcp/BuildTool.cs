using System.Text.Json;
using Aisbx.Service;
using Aisbx.Service.Builds;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Mcp;

/// <summary>
/// <c>aisbx-build</c>: builds a profile's tree (<see cref="BuildService"/>), or finds it up to date, and compiles its
/// syscall filter, sending progress notifications as the build goes; the result names the tree. The build is a job
/// of the server: a second call for the same profile joins it, and a call that is cancelled stops waiting, not the
/// build.
/// </summary>
public sealed class BuildTool(ServiceContext context) : AisbxTool(
    "aisbx-build",
    "Build a sandbox profile's environment",
    "Builds the root filesystem of a sandbox profile (its Debian packages, or its image) so that runs with it can " +
    "start, or returns at once when the tree of its current inputs is already built; 'force' builds it anew. " +
    "Sends progress notifications (phase, packages, bytes) while it builds, which may take minutes. Returns the tree " +
    "(state, hash, size, when built) and whether the profile is ready; a failed build is an error that says why.",
    ToolSchemas.BuildInput,
    ToolSchemas.BuildOutput,
    // It writes a tree into aisbx's store (nothing the caller had is changed), the same tree for the same inputs,
    // and fetches packages or an image from outside.
    new ToolHints(ReadOnly: false, Destructive: false, Idempotent: true, OpenWorld: true),
    """{"profile": "python-dev"}""")
{
    private static readonly JsonVocabulary Words = JsonVocabulary.Tool.For("aisbx-build");

    protected override async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var caller = CallerIdentity.From(request.User, Callers.Of(request.Server));
        var outcome = await context.Builds.BuildAsync(caller, request.Params?.Arguments?.AsReadOnly(), Words, McpProgress.Of(request), cancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            return Refused(outcome.Refusal);
        }

        var report = outcome.Value;
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = Summary(report) }],
            StructuredContent = JsonSerializer.SerializeToElement(report, ServiceJsonContext.Default.BuildReport),
            IsError = false,
        };
    }

    private static string Summary(BuildReport report)
    {
        var tree = report.Tree.State == "host"
            ? $"profile {report.Profile} runs on the host's /usr: nothing to build"
            : report.Cached
                ? $"profile {report.Profile} is up to date (tree {report.Tree.ShortHash})"
                : $"profile {report.Profile} built in {report.TookMs / 1000:0.0} s: tree {report.Tree.ShortHash}, {Aisbx.Core.Units.ByteCount.Human(report.Tree.SizeBytes ?? 0)}";
        var ready = report.Ready
            ? $"ready: toolchain present ({string.Join(", ", report.Toolchain)}), syscall filter compiled ({report.FilterInstructions} instructions)"
            : $"not ready: missing {string.Join(", ", report.MissingTools)}. The operator can install it with: {report.InstallHint}";
        var notes = report.Notes.Count == 0 ? "" : $" Notes: {string.Join("; ", report.Notes)}.";
        return $"{tree}; {ready}.{notes}";
    }
}
