using System.Collections.Immutable;

namespace Aisbx.Core.Sandboxes;

/// <summary>One entry of a directory in a sandbox: <see cref="Type"/> is <c>file</c>, <c>directory</c>, <c>symlink</c> or <c>other</c>.</summary>
public sealed record FileEntry(string Name, string Type, long Size, DateTimeOffset Mtime);

/// <summary>A directory's entries, sorted by name; <see cref="Truncated"/> when there were more than the cap.</summary>
public sealed record FileListing(string Path, ImmutableArray<FileEntry> Entries, bool Truncated);
