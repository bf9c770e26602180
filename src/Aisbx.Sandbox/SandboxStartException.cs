using Aisbx.Core;

namespace Aisbx.Sandbox;

/// <summary>bubblewrap ran but could not build the sandbox; the message carries its reason and where to look.</summary>
public sealed class SandboxStartException(string message) : AisbxException(message);
