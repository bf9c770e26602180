using Aisbx.Core.Profiles;
using Aisbx.Sandbox.Live;

namespace Aisbx.Sandbox.Pool;

/// <summary>A sandbox waiting in the pool, with what it was started from: the profile, and its tree's version.</summary>
internal sealed record PooledSandbox(LiveSandbox Sandbox, Profile Profile, long TreeVersion);
