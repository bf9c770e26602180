using Aisbx.Core.Policy;

namespace Aisbx.Sandbox.Rootfs;

/// <summary>The refusal of a run whose profile's tree is missing or stale: it names <c>aisbx build</c>.</summary>
public static class RootfsNotBuilt
{
    public const string Rule = "rootfs-not-built";

    public static PolicyRefusal Refusal(TreeStatus status) => new(Rule, status.State == TreeState.Stale
        ? $"profile '{status.Profile}' has a stale environment (its [rootfs] changed since it was built): run aisbx build --profile {status.Profile}"
        : $"profile '{status.Profile}' has no environment built yet: run aisbx build --profile {status.Profile}");
}
