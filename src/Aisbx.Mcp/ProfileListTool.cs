using System.Globalization;
using System.Text;
using System.Text.Json;
using Aisbx.Service;
using Aisbx.Service.Profiles;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Mcp;

/// <summary><c>aisbx-profile-list</c>: the profiles, what each is for, its limits, its network, and whether its toolchain is here (<see cref="ProfileService"/>).</summary>
public sealed class ProfileListTool(ServiceContext context) : AisbxTool(
    "aisbx-profile-list",
    "List sandbox profiles",
    "Lists the sandbox profiles aisbx-run can use: what each is for, its resource limits (wall time, CPU time, " +
    "memory, processes, file size, open files, /tmp size, output), its network mode, whether its syscall policy " +
    "is a denylist or an allowlist, and whether its toolchain is installed on this host.",
    ToolSchemas.ProfileListInput,
    ToolSchemas.ProfileListOutput,
    new ToolHints(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false),
    "{}")
{
    private static readonly JsonVocabulary Words = JsonVocabulary.Tool.For("aisbx-profile-list");

    private readonly ProfileService _profiles = new(context);

    protected override ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var caller = CallerIdentity.From(request.User, Callers.Of(request.Server));
        var outcome = _profiles.List(caller, request.Params?.Arguments?.AsReadOnly(), Words);
        if (!outcome.Succeeded)
        {
            return ValueTask.FromResult(Refused(outcome.Refusal));
        }

        var text = new StringBuilder();
        foreach (var entry in outcome.Value.Profiles)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{entry.Name}: {entry.Description} (network {entry.Network}{AllowList(entry)}; {entry.Limits["wallTime"]} wall, {entry.Limits["memory"]} memory; toolchain {(entry.ToolchainPresent ? "present" : "missing: " + string.Join(", ", entry.MissingTools))})\n");
        }

        return ValueTask.FromResult(new CallToolResult
        {
            Content = [new TextContentBlock { Text = text.ToString() }],
            StructuredContent = JsonSerializer.SerializeToElement(outcome.Value, ServiceJsonContext.Default.ProfileListing),
            IsError = false,
        });
    }

    /// <summary>The hosts a run may reach with network allowlist, where the profile allows that mode.</summary>
    private static string AllowList(ProfileEntry entry) =>
        entry.AllowedNetworks.Contains("allowlist")
            ? $", allowlist: {(entry.Egress.Allow.Count == 0 ? "no host" : string.Join(" ", entry.Egress.Allow))}"
            : "";
}
