using System.Text.Json;
using Aisbx.Core;
using Aisbx.Core.Security;
using Aisbx.Sandbox.Seccomp;
using Aisbx.Service;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Mcp;

/// <summary>What <c>aisbx-build</c> found and prepared.</summary>
public sealed record BuildReport(string Profile, bool Ready, IReadOnlyList<string> Toolchain, IReadOnlyList<string> MissingTools, string? InstallHint, int FilterInstructions);

/// <summary>
/// <c>aisbx-build</c>: prepares a profile's environment, reporting progress. For now: check its toolchain, and
/// compile and cache its syscall filter, so that the first run pays neither.
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
    private const int Steps = 3;

    /// <summary>The preparation itself, for the REST API: profile, toolchain, filter.</summary>
    /// <exception cref="AisbxException">No such profile, or the host cannot build its filter.</exception>
    public static BuildReport Prepare(ServiceContext context, string profileName)
    {
        var profile = context.Runner.Profiles.Get(profileName);
        var missing = context.Runner.MissingTools(profile);
        var instructions = SeccompProgram.For(profile.Name, profile.Syscalls).Length / 8;
        return new BuildReport(profile.Name, missing.Count == 0, profile.Toolchain, missing, missing.Count == 0 ? null : profile.InstallHint, instructions);
    }

    protected override async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var identity = CallerIdentity.From(request.User, Callers.Of(request.Server));
        var caller = identity.Name;
        if (!identity.Allows("build"))
        {
            return Refused(identity.ScopeRefusal("build"));
        }

        if (request.Params?.Arguments is not { } arguments || !arguments.TryGetValue("profile", out var value) || value.ValueKind != JsonValueKind.String)
        {
            return Refused("refused (arguments): 'profile' is required and must be a string, e.g. \"python-dev\"; see aisbx-profile-list");
        }

        if (arguments.Keys.FirstOrDefault(k => k != "profile") is { } unknown)
        {
            return Refused($"refused (arguments): unknown argument '{unknown}': aisbx-build takes only 'profile'");
        }

        try
        {
            await Progress(request, 0, "loading the profile", cancellationToken).ConfigureAwait(false);
            var profile = context.Runner.Profiles.Get(value.GetString()!);
            await Progress(request, 1, "checking the toolchain", cancellationToken).ConfigureAwait(false);
            var missing = context.Runner.MissingTools(profile);
            await Progress(request, 2, "compiling the syscall filter", cancellationToken).ConfigureAwait(false);
            var instructions = SeccompProgram.For(profile.Name, profile.Syscalls).Length / 8;
            await Progress(request, 3, "done", cancellationToken).ConfigureAwait(false);

            var report = new BuildReport(profile.Name, missing.Count == 0, profile.Toolchain, missing, missing.Count == 0 ? null : profile.InstallHint, instructions);
            context.Log.Publish(new SecurityEvent(SecurityEventKind.ToolCall, $"aisbx-build: {(report.Ready ? "ready" : "missing " + string.Join(", ", missing))}",
                Severity.Low, "built", null, profile.Name, caller, DateTimeOffset.UtcNow));
            var text = report.Ready
                ? $"profile {profile.Name} is ready: toolchain present ({string.Join(", ", profile.Toolchain)}), syscall filter compiled ({instructions} instructions)"
                : $"profile {profile.Name} is not ready: missing {string.Join(", ", missing)}. The operator can install it with: {profile.InstallHint}";
            return new CallToolResult
            {
                Content = [new TextContentBlock { Text = text }],
                StructuredContent = JsonSerializer.SerializeToElement(report, McpJsonContext.Default.BuildReport),
                IsError = false,
            };
        }
        catch (AisbxException ex)
        {
            return Refused($"refused: {context.Scrub(ex.Message)}");
        }
    }

    private static async Task Progress(RequestContext<CallToolRequestParams> request, int step, string message, CancellationToken cancellationToken)
    {
        if (request.Params?.ProgressToken is { } token)
        {
            await request.Server.NotifyProgressAsync(token, new ProgressNotificationValue { Progress = step, Total = Steps, Message = message }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
