using Aisbx.Core.Configuration;
using Aisbx.Sandbox.Bubblewrap;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Host;

/// <summary>Who bubblewrap runs as: the caller, unless the caller is root, in which case the configured unprivileged uid.</summary>
public static class SandboxIdentity
{
    public static bool CallerIsRoot => GetEffectiveUserId() == 0;

    public static HostIdentity? For(AisbxConfig config) =>
        CallerIsRoot ? new HostIdentity(config.SandboxUid, config.SandboxGid) : null;
}
