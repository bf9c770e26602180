namespace Aisbx.Core.Sandboxes;

/// <summary>The answer to a created live sandbox: its handle and its two clocks (in seconds).</summary>
public sealed record SandboxCreated(
    string SandboxId, string Profile, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, double IdleTimeout, double MaxLifetime);
