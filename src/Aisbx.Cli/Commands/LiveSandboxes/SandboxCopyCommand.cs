using System.CommandLine;
using Aisbx.Core;
using Aisbx.Sandbox;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>
/// <c>aisbx sandbox cp SRC DST</c>, one side <c>ID:PATH</c> (as <c>docker cp</c>): a local file (or <c>-</c>, stdin)
/// into the sandbox, or a sandbox file out to a local path (or <c>-</c>, stdout). One file per call: directories
/// are refused with the way round (pack them with tar inside the sandbox).
/// </summary>
internal static class SandboxCopyCommand
{
    public static Command Create(Option<string?> server)
    {
        var source = new Argument<string>("source") { Description = "A local file, - for stdin, or ID:PATH" };
        var destination = new Argument<string>("destination") { Description = "ID:PATH, or a local file or directory, - for stdout" };
        var cp = new Command("cp", "Copy one file into a live sandbox (LOCAL ID:PATH) or out of it (ID:PATH LOCAL); PATH is relative to /workspace") { source, destination };
        cp.SetAction(async (parseResult, cancellationToken) =>
        {
            var (from, to) = (parseResult.GetValue(source)!, parseResult.GetValue(destination)!);
            var (fromSandbox, toSandbox) = (CopyEnd.Remote(from), CopyEnd.Remote(to));
            if (fromSandbox is null == toSandbox is null)
            {
                throw new SandboxRefusal("usage",
                    $"'aisbx sandbox cp' needs exactly one side in a sandbox, written ID:PATH (rule usage): e.g. 'aisbx sandbox cp data.csv sbx-…:data.csv' or 'aisbx sandbox cp sbx-…:out.txt .'");
            }

            using var client = SandboxCommands.Client(parseResult, server);
            if (toSandbox is { } target)
            {
                await UploadAsync(client, from, target, cancellationToken);
            }
            else
            {
                await DownloadAsync(client, fromSandbox!.Value, to, cancellationToken);
            }

            return 0;
        });
        return cp;
    }

    private static async Task UploadAsync(SandboxClient client, string local, (string Id, RemotePath Path) target, CancellationToken cancellationToken)
    {
        var (bytes, mode, name) = local == "-" ? (ReadStdin(target.Id), 0x1A4, "") : CopyEnd.ReadLocal(local, target.Id);
        var path = target.Path;
        if (path.NamesDirectory)
        {
            path = name.Length > 0 ? path.Child(name) : throw new SandboxRefusal("cp-destination",
                $"'{Printable.Line(path.Text, 200)}' names a directory, and stdin has no file name (rule cp-destination): give the file's path, e.g. {target.Id}:input.txt");
        }

        await client.WriteFileAsync(target.Id, path, bytes, mode, cancellationToken);
    }

    private static async Task DownloadAsync(SandboxClient client, (string Id, RemotePath Path) source, string local, CancellationToken cancellationToken)
    {
        if (source.Path.Parts.Count == 0)
        {
            throw DirectoryRefusal(source.Id, source.Path);
        }

        var (bytes, _) = await client.ReadFileAsync(source.Id, source.Path, cancellationToken);
        if (bytes is null)
        {
            throw DirectoryRefusal(source.Id, source.Path);
        }

        if (local == "-")
        {
            try
            {
                CallerDescriptors.Output(1).Write(bytes);
            }
            catch (IOException)
            {
                throw new SandboxRefusal("stdout-closed", "stdout is closed, so the file had nowhere to go (rule stdout-closed): redirect it to a file, or give a local path");
            }

            return;
        }

        CopyEnd.WriteLocal(local, source.Path.FileName, bytes);
    }

    private static byte[] ReadStdin(string id)
    {
        using var stdin = CallerDescriptors.Stdin() ?? throw new SandboxRefusal("usage", "stdin is closed, so '-' has nothing to copy (rule usage): pipe the data in, or give a local file");
        return CopyEnd.ReadBounded(stdin, "stdin", id);
    }

    private static SandboxRefusal DirectoryRefusal(string id, RemotePath path)
    {
        var shown = path.Parts.Count == 0 ? "/workspace" : Printable.Line(path.Text, 200);
        return new SandboxRefusal("cp-directory",
            $"{shown} in the sandbox is a directory, and 'aisbx sandbox cp' copies one file (rule cp-directory): pack it inside first, e.g. 'aisbx sandbox exec {id} -- tar -cf out.tar {(path.Parts.Count == 0 ? "." : shown)}', then 'aisbx sandbox cp {id}:out.tar .'");
    }
}
