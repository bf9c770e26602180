namespace Aisbx.Core.Profiles;

/// <summary>
/// A host path mounted read-only into the sandbox. <see cref="Source"/> may start with <c>~/</c>, the caller's home;
/// an <see cref="Optional"/> mount whose source is missing is skipped.
/// </summary>
public sealed record ProfileMount(string Source, string Target, bool Optional);
