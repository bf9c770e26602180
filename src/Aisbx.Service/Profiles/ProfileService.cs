using System.Globalization;
using System.Text.Json;
using Aisbx.Core;
using Aisbx.Core.Policy;
using Aisbx.Core.Profiles;
using Aisbx.Core.Units;

namespace Aisbx.Service.Profiles;

/// <summary>
/// The profile listing, the same for <c>aisbx-profile-list</c> and <c>GET /v1/profiles</c>: scope <c>read</c>, the
/// profiles with their limits, network and whether their toolchain is here, and the call on the record.
/// </summary>
public sealed class ProfileService(ServiceContext context)
{
    /// <param name="arguments">The call's arguments, of which there are none to give; null where the surface has no place for any.</param>
    /// <param name="words">The surface's words for this operation, e.g. <c>JsonVocabulary.Tool.For("aisbx-profile-list")</c>.</param>
    public ServiceOutcome<ProfileListing> List(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement>? arguments, JsonVocabulary words)
    {
        if (!caller.Allows(Scopes.Read))
        {
            Record(caller, "refused", ServiceRules.Scope);
            return ServiceOutcome.Refused<ProfileListing>(ServiceRules.Scope, caller.ScopeRefusal(Scopes.Read));
        }

        if (arguments?.Keys.FirstOrDefault() is { } unknown)
        {
            Record(caller, "refused", ServiceRules.Arguments);
            return ServiceOutcome.Refused<ProfileListing>(ServiceRules.Arguments, $"refused (arguments): unknown {words.Noun} '{unknown}': {words.Taker} takes none");
        }

        try
        {
            var listing = new ProfileListing([.. context.Runner.Profiles.All().Select(Entry)]);
            context.RecordCall(caller, $"profile-list ok: {listing.Profiles.Count} profiles", "listed", "-");
            return ServiceOutcome.Ok(listing);
        }
        catch (PolicyRefusal refusal)
        {
            Record(caller, "refused", refusal.Rule);
            return ServiceOutcome.Refused<ProfileListing>(refusal.Rule, $"refused ({refusal.Rule}): {context.Scrub(refusal.PublicMessageIn(words))}");
        }
        catch (AisbxException ex)
        {
            // A profile file the operator wrote that cannot be used: not the caller's fault, but theirs to report.
            Record(caller, "failed", ServiceRules.Error);
            return ServiceOutcome.Refused<ProfileListing>(ServiceRules.Error, context.Scrub(ex.Message));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Record(caller, "failed", "internal-error " + ex.GetType().Name);
            return ServiceOutcome.Fault<ProfileListing>("profile listing", ex);
        }
    }

    private void Record(CallerIdentity caller, string outcome, string detail) =>
        context.RecordCall(caller, $"profile-list {outcome}: {detail}", outcome, "-");

    private ProfileEntry Entry(Profile profile)
    {
        var missing = context.Runner.MissingTools(profile);
        var l = profile.Limits;
        return new ProfileEntry(
            profile.Name,
            profile.Description,
            NetworkModeText.Format(profile.Network),
            [.. profile.AllowedNetworks.Select(NetworkModeText.Format)],
            EgressEntry.From(profile.Egress),
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
