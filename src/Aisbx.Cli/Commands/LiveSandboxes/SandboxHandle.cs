using Aisbx.Sandbox.Live;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>A sandbox's handle as the user typed it: checked for its shape before it becomes part of a URL.</summary>
internal static class SandboxHandle
{
    /// <exception cref="SandboxRefusal">It is not of the shape of a handle.</exception>
    public static string Check(string text) =>
        LiveHandles.IsWellFormed(text) ? text : throw new SandboxRefusal("handle",
            $"'{Printable.Line(text, 100)}' is not a sandbox handle (rule handle): give the sbx-… id that 'aisbx sandbox create' printed (see 'aisbx sandbox list')");
}
