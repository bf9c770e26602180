using Aisbx.Core.Profiles;
using Aisbx.Core.Runs;

namespace Aisbx.Core.Policy;

/// <summary>A request that passed every rule, with the limits and network mode that will be in force.</summary>
public sealed record ApprovedRun(RunRequest Request, Profile Profile, ResourceLimits Limits, NetworkMode Network);
