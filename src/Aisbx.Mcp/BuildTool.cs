using System.Text.Json;
using Aisbx.Service;
using Aisbx.Service.Builds;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Mcp;

/// <summary>
/// <c>aisbx-build</c>: prepares a profile's environment, reporting progress (<see cref="BuildService"/>). For now:
/// check its toolchain, and compile and cache its syscall filter, so that the first run pays neither.
/// </summary>
public sealed class BuildTool(ServiceContext context) : AisbxTool(
    "aisbx-build",
    "Prepare a sandbox profile",
    "Prepares a sandbox profile before running code with it: checks that its toolchain (e.g. python3 for " +
    "python-dev) is installed on the host and compiles and caches its seccomp filter. Reports progress, and " +
    "whether the profile is ready; when a tool is missing, says how the operator installs it.",
    ToolSchemas.BuildInput,
    ToolSchemas.BuildOutput,
    // It reads the profile and the host, and caches a compiled filter in memory: nothing the caller could see changes.
    new ToolHints(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false),
    """{"profile": "python-dev"}""")
{
    private static readonly JsonVocabulary Words = JsonVocabulary.Tool.For("aisbx-build");

    private readonly BuildService _builds = new(context);

    protected override async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var caller = CallerIdentity.From(request.User, Callers.Of(request.Server));
        var outcome = await _builds.PrepareAsync(caller, request.Params?.Arguments?.AsReadOnly(), Words, McpProgress.Of(request), cancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            return Refused(outcome.Refusal);
        }

        var report = outcome.Value;
        var text = report.Ready
            ? $"profile {report.Profile} is ready: toolchain present ({string.Join(", ", report.Toolchain)}), syscall filter compiled ({report.FilterInstructions} instructions)"
            : $"profile {report.Profile} is not ready: missing {string.Join(", ", report.MissingTools)}. The operator can install it with: {report.InstallHint}";
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text }],
            StructuredContent = JsonSerializer.SerializeToElement(report, ServiceJsonContext.Default.BuildReport),
            IsError = false,
        };
    }
}
