namespace Aisbx.Sandbox.Rootfs;

/// <summary>What a build did: the tree it left, whether it was already there (a no-op), how long it took, and what an import neutralised.</summary>
public sealed record BuildOutcome(TreeStatus Tree, bool Cached, TimeSpan Took, IReadOnlyList<string> Notes);
