using System.Collections.Immutable;
using Aisbx.Core.Configuration;
using Aisbx.Core.Egress;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;

namespace Aisbx.Core.Policy;

/// <summary>
/// A run's network and the hosts it may reach: the profile's allow list plus what the server grants the caller's
/// key, narrowed (never widened) by the request's own hosts; the deny list is always the profile's.
/// </summary>
internal static class EgressApproval
{
    public static (NetworkMode Network, EgressPolicy? Egress) Approve(RunRequest request, Profile profile, EgressSettings settings)
    {
        var network = request.Network ?? (request.AllowHosts is null ? profile.Network : NetworkMode.Allowlist);
        if (request.AllowHosts is not null && network != NetworkMode.Allowlist)
        {
            throw new PolicyRefusal("allow-hosts-without-allowlist", RequestField.AllowHosts, words =>
                $"{words.Name(RequestField.AllowHosts)} is only for network 'allowlist', not '{NetworkModeText.Format(network)}': " +
                $"drop {words.Name(RequestField.Network)}, or set it to allowlist");
        }

        if (!profile.AllowedNetworks.Contains(network))
        {
            // Hosts alone ask for the allowlist: the refusal points at what the caller wrote.
            var field = request.Network is null && request.AllowHosts is not null ? RequestField.AllowHosts : RequestField.Network;
            throw new PolicyRefusal("network-denied", field, words =>
                $"profile '{profile.Name}' does not allow network '{NetworkModeText.Format(network)}' " +
                $"(allowed: {string.Join(", ", profile.AllowedNetworks.Select(NetworkModeText.Format))}): drop {words.Name(field)}, or use a profile that allows it");
        }

        if (network != NetworkMode.Allowlist)
        {
            return (network, null);
        }

        var granted = profile.Egress.Allow.AddRange(settings.GrantsFor(request.Caller)).Distinct().ToImmutableArray();
        var allow = request.AllowHosts is { } requested ? Narrowed(requested, granted, profile.Name) : granted;
        return (network, profile.Egress with { Allow = allow });
    }

    private static ImmutableArray<HostPattern> Narrowed(ImmutableArray<string> requested, ImmutableArray<HostPattern> granted, string profileName)
    {
        var allow = ImmutableArray.CreateBuilder<HostPattern>(requested.Length);
        foreach (var text in requested)
        {
            HostPattern entry;
            try
            {
                entry = HostPattern.ParseAllow(text);
            }
            catch (HostPatternException ex)
            {
                var rule = ex.Rule == HostPatternGrammar.TooBroadRule ? "allow-too-broad" : "allow-host-invalid";
                throw new PolicyRefusal(rule, RequestField.AllowHosts, words => $"{words.Name(RequestField.AllowHosts)}: {ex.Message}");
            }

            if (!granted.Any(g => g.Covers(entry)))
            {
                var listed = granted.IsEmpty ? "none" : string.Join(", ", granted.Take(10).Select(g => g.ToString())) + (granted.Length > 10 ? ", ..." : "");
                throw new PolicyRefusal("allow-host-not-granted", RequestField.AllowHosts, words =>
                    $"{words.Name(RequestField.AllowHosts)} entry '{entry}' is not covered by the allow list of profile '{profileName}' (allowed: {listed}); " +
                    "a run may only narrow it: ask for hosts it lists, or use a profile (or a key grant) that allows the host");
            }

            allow.Add(entry);
        }

        return [.. allow.Distinct()];
    }
}
