using System.Globalization;
using System.Text;
using System.Text.Json;
using Aisbx.Core.Runs;
using Aisbx.Core.Sandboxes;
using Aisbx.Service;
using ModelContextProtocol.Protocol;

namespace Aisbx.Mcp.Sandboxes;

/// <summary><c>aisbx-file-list</c>: a directory of a live sandbox, entry by entry.</summary>
public sealed class FileListTool(ServiceContext context) : SandboxTool(
    context,
    "aisbx-file-list",
    "file-list",
    "List files in a live sandbox",
    "Lists a directory of a live sandbox (default /workspace): each entry's name, type (file, directory, symlink, " +
    "other), size and modification time, sorted by name. The path is relative to /workspace, or under /workspace " +
    "or /tmp.",
    SandboxToolSchemas.FileListInput,
    SandboxToolSchemas.FileListOutput,
    new ToolHints(ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false),
    """{"sandboxId": "sbx-...", "path": "/workspace"}""")
{
    private static readonly string[] Known = [SandboxToolArguments.SandboxId, "path"];

    protected override async Task<CallToolResult> CallAsync(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement> arguments, CancellationToken cancellationToken)
    {
        JsonFields.RejectUnknown(arguments, Known, Words);
        var handle = SandboxToolArguments.Handle(arguments);
        var path = JsonFields.Text(arguments, "path") ?? Sandbox.Live.LivePaths.Workspace;
        var outcome = await Sandboxes.ListFilesAsync(caller, handle, path, cancellationToken).ConfigureAwait(false);
        return Answer(outcome, listing => Answer(Describe(listing), JsonSerializer.SerializeToElement(listing, AisbxJsonContext.Default.FileListing)));
    }

    /// <summary>A listing as lines like ls -l's: type, size, name.</summary>
    internal static string Describe(FileListing listing)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{listing.Path}: {listing.Entries.Length} {(listing.Entries.Length == 1 ? "entry" : "entries")}{(listing.Truncated ? " (more not listed)" : "")}\n");
        foreach (var entry in listing.Entries)
        {
            text.Append(CultureInfo.InvariantCulture, $"{entry.Type,-9} {entry.Size,10} {entry.Mtime:u} {OneLine.Of(entry.Name)}{(entry.Type == "directory" ? "/" : "")}\n");
        }

        return text.ToString();
    }
}
