using Aisbx.Core.Egress;
using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;

namespace Aisbx.Core.Policy;

/// <summary>A request that passed every rule, with the limits and network mode that will be in force.</summary>
/// <param name="Egress">The hosts the run may reach and its caps, in force only in network mode allowlist; null in the others.</param>
public sealed record ApprovedRun(RunRequest Request, Profile Profile, ResourceLimits Limits, NetworkMode Network, EgressPolicy? Egress = null);
