using Aisbx.Core;
using Aisbx.Core.Sandboxes;

namespace Aisbx.Sandbox.Live;

/// <summary>A call reached a live sandbox that has ended: why, and the fix.</summary>
public sealed class SandboxEndedException(string sandboxId, SandboxEnd reason) : AisbxException(reason.Describe(sandboxId))
{
    public SandboxEnd Reason => reason;
}

/// <summary>A file operation or exec that the sandbox refused: the rule (e.g. <c>file-not-found</c>) and why.</summary>
public sealed class SandboxFileException(string rule, string message) : AisbxException(message)
{
    public string Rule => rule;
}
