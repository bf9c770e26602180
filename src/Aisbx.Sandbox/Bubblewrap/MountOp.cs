namespace Aisbx.Sandbox.Bubblewrap;

/// <summary>One step of building the sandbox's filesystem, applied in order by bubblewrap.</summary>
public abstract record MountOp(string Target);

/// <summary>A host path made visible at <see cref="MountOp.Target"/>.</summary>
public sealed record BindMount(string Source, string Target, bool ReadOnly) : MountOp(Target);

/// <summary>The workspace, bound read-write from a descriptor opened (and checked) before launch.</summary>
public sealed record WorkspaceMount(string HostPath, string Target) : MountOp(Target);

/// <summary>A size-capped, world-writable (sticky) tmpfs.</summary>
public sealed record TmpfsMount(string Target, long SizeBytes) : MountOp(Target);

/// <summary>A fresh procfs for the sandbox's own pid namespace.</summary>
public sealed record ProcMount(string Target) : MountOp(Target);

/// <summary>A minimal /dev: null, zero, full, random, urandom, tty, pts, shm.</summary>
public sealed record DevMount(string Target) : MountOp(Target);

/// <summary>A symbolic link at <see cref="MountOp.Target"/> pointing to <see cref="LinkTarget"/>.</summary>
public sealed record SymlinkOp(string LinkTarget, string Target) : MountOp(Target);

/// <summary>A read-only file whose content aisbx generates, such as the sandbox's /etc/passwd.</summary>
public sealed record DataFile(string Content, string Target) : MountOp(Target);

/// <summary>Makes <see cref="MountOp.Target"/> (not its submounts) read-only once everything else is in place.</summary>
public sealed record RemountReadOnly(string Target) : MountOp(Target);
