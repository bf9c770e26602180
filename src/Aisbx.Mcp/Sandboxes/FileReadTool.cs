using System.Globalization;
using System.Text;
using System.Text.Json;
using Aisbx.Core.Runs;
using Aisbx.Sandbox.Live;
using Aisbx.Service;
using ModelContextProtocol.Protocol;

namespace Aisbx.Mcp.Sandboxes;

/// <summary>
/// <c>aisbx-file-read</c>: a file out of a live sandbox, binary-safe (base64 always, and the text too when it is
/// UTF-8); a directory is listed instead.
/// </summary>
public sealed class FileReadTool(ServiceContext context) : SandboxTool(
    context,
    "aisbx-file-read",
    "file-read",
    "Read a file from a live sandbox",
    "Reads a file from a live sandbox (up to the server's limit, 16 MiB by default): its bytes as contentBase64, " +
    "and as 'content' too when they are valid UTF-8 text of at most 1 MiB. The path is relative to /workspace, or under /workspace " +
    "or /tmp; aisbx never follows a symlink for it. A directory's path gives its listing instead, as aisbx-file-list.",
    SandboxToolSchemas.FileReadInput,
    SandboxToolSchemas.FileReadOutput,
    new ToolHints(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false),
    """{"sandboxId": "sbx-...", "path": "out.txt"}""")
{
    private static readonly string[] Known = [SandboxToolArguments.SandboxId, "path"];

    /// <summary>Up to this size a UTF-8 file also comes as text; beyond it only as base64 (both would double a large reply).</summary>
    private const int TextCopyLimit = 1 << 20;

    protected override async Task<CallToolResult> CallAsync(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement> arguments, CancellationToken cancellationToken)
    {
        JsonFields.RejectUnknown(arguments, Known, Words);
        var handle = SandboxToolArguments.Handle(arguments);
        var path = SandboxToolArguments.Path(arguments);
        var outcome = await Sandboxes.ReadFileAsync(caller, handle, path, cancellationToken).ConfigureAwait(false);
        return Answer(outcome, read => read.Listing is { } listing
            ? Answer(FileListTool.Describe(listing), JsonSerializer.SerializeToElement(listing, AisbxJsonContext.Default.FileListing))
            : Content(LivePaths.Normalize(path), read.Bytes!));
    }

    private static CallToolResult Content(string path, byte[] bytes)
    {
        var file = new FileRead(path, bytes.Length, Convert.ToBase64String(bytes))
        {
            Content = bytes.Length <= TextCopyLimit && System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : null,
        };
        var text = new StringBuilder();
        if (file.Content is null)
        {
            text.Append(CultureInfo.InvariantCulture, $"{path}: {file.Size} bytes, not UTF-8 text: its bytes are in structuredContent.contentBase64\n");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"{path}: {file.Size} bytes of text\n");
            ResultText.Section(text, "content", file.Content, truncated: false);
        }

        return Answer(text.ToString(), JsonSerializer.SerializeToElement(file, SandboxToolJsonContext.Default.FileRead));
    }
}
