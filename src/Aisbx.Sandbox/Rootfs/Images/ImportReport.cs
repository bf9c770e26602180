namespace Aisbx.Sandbox.Rootfs.Images;

/// <summary>What an import neutralised (one line each, e.g. <c>usr/bin/x: setuid bit cleared</c>) and the tree's size.</summary>
public sealed record ImportReport(IReadOnlyList<string> Neutralised, long SizeBytes);
