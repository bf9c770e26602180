using System.Collections.Immutable;

namespace Aisbx.Core.Sandboxes;

/// <summary>The caller's own live sandboxes.</summary>
public sealed record SandboxList(ImmutableArray<SandboxStatus> Sandboxes);

/// <summary>The answer to an exec with <c>background: true</c>: the process id to read, write, signal and wait for.</summary>
public sealed record BackgroundStarted(string SandboxId, int ProcessId);
