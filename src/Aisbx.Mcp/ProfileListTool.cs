using System.Globalization;
using System.Text;
using System.Text.Json;
using Aisbx.Core.Profiles;
using Aisbx.Core.Units;
using Aisbx.Service;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Mcp;

/// <summary>A profile as <c>aisbx-profile-list</c> shows it.</summary>
public sealed record ProfileEntry(
    string Name,
    string Description,
    string Network,
    IReadOnlyList<string> AllowedNetworks,
    IReadOnlyList<string> Toolchain,
    bool ToolchainPresent,
    IReadOnlyList<string> MissingTools,
    string Syscalls,
    IReadOnlyDictionary<string, string> Limits);

public sealed record ProfileListing(IReadOnlyList<ProfileEntry> Profiles);

/// <summary><c>aisbx-profile-list</c>: the profiles, what each is for, its limits, its network, and whether its toolchain is here.</summary>
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
    protected override ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var identity = CallerIdentity.From(request.User, Callers.Of(request.Server));
        if (!identity.Allows("read"))
        {
            return ValueTask.FromResult(Refused(identity.ScopeRefusal("read")));
        }

        if (request.Params?.Arguments?.Keys.FirstOrDefault() is { } unknown)
        {
            return ValueTask.FromResult(Refused($"refused (arguments): unknown argument '{unknown}': aisbx-profile-list takes none"));
        }

        List<ProfileEntry> entries;
        try
        {
            entries = [.. context.Runner.Profiles.All().Select(Entry)];
        }
        catch (Core.AisbxException ex)
        {
            return ValueTask.FromResult(Refused(context.Scrub(ex.Message)));
        }

        context.Log.Publish(new Core.Security.SecurityEvent(Core.Security.SecurityEventKind.ToolCall, $"aisbx-profile-list: {entries.Count} profiles",
            Core.Security.Severity.Low, "listed", null, "-", identity.Name, DateTimeOffset.UtcNow));
        var text = new StringBuilder();
        foreach (var entry in entries)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{entry.Name}: {entry.Description} (network {entry.Network}; {entry.Limits["wallTime"]} wall, {entry.Limits["memory"]} memory; toolchain {(entry.ToolchainPresent ? "present" : "missing: " + string.Join(", ", entry.MissingTools))})\n");
        }

        return ValueTask.FromResult(new CallToolResult
        {
            Content = [new TextContentBlock { Text = text.ToString() }],
            StructuredContent = JsonSerializer.SerializeToElement(new ProfileListing(entries), McpJsonContext.Default.ProfileListing),
            IsError = false,
        });
    }

    /// <summary>Every profile as listed, for the REST API.</summary>
    public static ProfileListing List(ServiceContext context) => new([.. context.Runner.Profiles.All().Select(p => Entry(context, p))]);

    private ProfileEntry Entry(Profile profile) => Entry(context, profile);

    private static ProfileEntry Entry(ServiceContext context, Profile profile)
    {
        var missing = context.Runner.MissingTools(profile);
        var l = profile.Limits;
        return new ProfileEntry(
            profile.Name,
            profile.Description,
            NetworkModeText.Format(profile.Network),
            [.. profile.AllowedNetworks.Select(NetworkModeText.Format)],
            profile.Toolchain,
            missing.Count == 0,
            missing,
            profile.Syscalls.IsAllowlist ? "allowlist" : "denylist",
            new Dictionary<string, string>
            {
                ["wallTime"] = DurationText.Format(l.WallTime),
                ["cpuTime"] = DurationText.Format(l.CpuTime),
                ["memory"] = ByteSize.Format(l.MemoryBytes),
                ["pids"] = l.Pids.ToString(CultureInfo.InvariantCulture),
                ["fileSize"] = ByteSize.Format(l.FileSizeBytes),
                ["openFiles"] = l.OpenFiles.ToString(CultureInfo.InvariantCulture),
                ["tmpSize"] = ByteSize.Format(l.TmpSizeBytes),
                ["output"] = ByteSize.Format(l.OutputBytes),
            });
    }
}
