using System.Text.Json;
using Aisbx.Sandbox.Live;
using Aisbx.Service;
using ModelContextProtocol.Protocol;

namespace Aisbx.Mcp.Sandboxes;

/// <summary><c>aisbx-file-write</c>: puts a file (text or binary) into a live sandbox.</summary>
public sealed class FileWriteTool(ServiceContext context) : SandboxTool(
    context,
    "aisbx-file-write",
    "file-write",
    "Write a file into a live sandbox",
    "Writes a file into a live sandbox: 'content' for text, or 'contentBase64' for binary bytes; missing parent " +
    "directories are created and an existing file is replaced. The path is relative to /workspace, or under " +
    "/workspace or /tmp; aisbx never follows a symlink for it. 'mode' sets the permission bits (\"0755\" to make " +
    "a script executable).",
    SandboxToolSchemas.FileWriteInput,
    SandboxToolSchemas.FileWriteOutput,
    // It replaces what was at the path; writing the same bytes again changes nothing more.
    new ToolHints(ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false),
    """{"sandboxId": "sbx-...", "path": "main.py", "content": "print(1)"}""")
{
    private static readonly string[] Known = [SandboxToolArguments.SandboxId, "path", "content", "contentBase64", "mode"];

    protected override async Task<CallToolResult> CallAsync(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement> arguments, CancellationToken cancellationToken)
    {
        JsonFields.RejectUnknown(arguments, Known, Words);
        var handle = SandboxToolArguments.Handle(arguments);
        var path = SandboxToolArguments.Path(arguments);
        var content = SandboxToolArguments.Bytes(arguments, "content")
            ?? throw new ToolArgumentException("give the file as 'content' (text) or 'contentBase64' (binary, base64); \"\" makes an empty file");
        var mode = SandboxToolArguments.Mode(arguments);
        var outcome = await Sandboxes.WriteFileAsync(caller, handle, path, content, mode, cancellationToken).ConfigureAwait(false);
        return Answer(outcome, _ =>
        {
            var written = new FileWritten(LivePaths.Normalize(path), content.Length);
            return Answer(
                $"wrote {written.Bytes} bytes to {written.Path} (mode {Convert.ToString(mode, 8).PadLeft(4, '0')})",
                JsonSerializer.SerializeToElement(written, SandboxToolJsonContext.Default.FileWritten));
        });
    }
}
