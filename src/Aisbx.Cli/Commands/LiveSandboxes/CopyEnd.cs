using Aisbx.Core;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>The two ends of <c>aisbx sandbox cp</c>: which one is <c>ID:PATH</c>, and the local file read or written.</summary>
internal static class CopyEnd
{
    /// <summary>
    /// <c>ID:PATH</c> when the text starts with a handle's prefix and has a ':' before any '/' (as <c>docker cp</c>
    /// decides); a local file of such a name is written <c>./sbx-…</c>.
    /// </summary>
    public static (string Id, RemotePath Path)? Remote(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (!text.StartsWith("sbx-", StringComparison.Ordinal) || colon < 0 || text.AsSpan(0, colon).Contains('/'))
        {
            return null;
        }

        return (SandboxHandle.Check(text[..colon]), RemotePath.Parse(text[(colon + 1)..]));
    }

    /// <summary>A local file's bytes (a pipe or process substitution works too), its permission bits, and its name.</summary>
    public static (byte[] Bytes, int Mode, string Name) ReadLocal(string path, string id)
    {
        if (Directory.Exists(path))
        {
            throw new SandboxRefusal("cp-directory",
                $"'{Printable.Line(path, 200)}' is a directory, and 'aisbx sandbox cp' copies one file (rule cp-directory): pack it first (tar -cf dir.tar DIR), copy dir.tar in, then 'aisbx sandbox exec {id} -- tar -xf dir.tar'");
        }

        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            var bytes = ReadBounded(file, $"'{Printable.Line(path, 200)}'", id);
            var mode = (int)File.GetUnixFileMode(file.SafeFileHandle) & 0x1FF; // no set-id or sticky bits go in
            return (bytes, mode, Path.GetFileName(Path.TrimEndingDirectorySeparator(path)));
        }
        catch (FileNotFoundException)
        {
            throw Local("cp-source", path, "does not exist", "check the path");
        }
        catch (DirectoryNotFoundException)
        {
            throw Local("cp-source", path, "does not exist", "check the path");
        }
        catch (UnauthorizedAccessException)
        {
            throw Local("cp-source", path, "cannot be read (permission denied)", "copy a file you can read");
        }
    }

    /// <summary>
    /// Writes a sandbox file's bytes to a local path; into an existing directory, under the sandbox file's name.
    /// The bytes came from the sandbox, so the file gets ordinary permissions (the umask's), never execute bits.
    /// </summary>
    public static void WriteLocal(string local, string remoteName, byte[] bytes)
    {
        var target = Directory.Exists(local) ? Path.Combine(local, remoteName) : local;
        try
        {
            File.WriteAllBytes(target, bytes);
        }
        catch (DirectoryNotFoundException)
        {
            throw Local("cp-destination", target, "is in a directory that does not exist", "create it first, or give another path");
        }
        catch (UnauthorizedAccessException)
        {
            throw Local("cp-destination", target, "cannot be written (permission denied)", "give another path");
        }
        catch (IOException ex)
        {
            throw Local("cp-destination", target, $"cannot be written ({Printable.Line(ex.Message, 200)})", "give another path");
        }
    }

    public static byte[] ReadBounded(Stream stream, string what, string id)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 << 10];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > ExecStdin.MaxRequestBytes)
            {
                throw new SandboxRefusal("file-size",
                    $"{what} is over the {ExecStdin.MaxRequestBytes >> 20} MiB that one request to the server carries (rule file-size): split it (split -b 4000K FILE part.) and join the parts inside ('aisbx sandbox exec {id} -- sh -c \"cat part.* > FILE\"')");
            }
        }

        return buffer.ToArray();
    }

    private static SandboxRefusal Local(string rule, string path, string problem, string fix) =>
        new(rule, $"the local file '{Printable.Line(path, 200)}' {problem} (rule {rule}): {fix}");
}
