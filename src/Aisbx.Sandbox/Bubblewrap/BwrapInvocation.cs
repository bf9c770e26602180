using System.Collections.Immutable;

namespace Aisbx.Sandbox.Bubblewrap;

/// <summary>A bubblewrap argument vector and the generated files it reads from inherited descriptors.</summary>
public sealed record BwrapInvocation(ImmutableArray<string> Arguments, ImmutableArray<(int Fd, string Content)> DataFiles);
