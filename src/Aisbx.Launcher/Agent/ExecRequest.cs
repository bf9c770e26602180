namespace Aisbx.Launcher;

/// <summary>
/// One program to start, read from the request file aisbx passes with an exec frame: <c>u32 magic "AXE1"</c>, the
/// working directory, the argument vector and the environment (each a <c>u32 count</c> of strings).
/// </summary>
internal sealed record ExecRequest(string WorkingDirectory, string[] Argv, string[] Environment)
{
    public const uint Magic = 0x31455841; // "AXE1"

    /// <summary>Arguments and environment together stay under Linux's own limit; this bounds what the agent reads.</summary>
    private const int MaxBytes = 4 << 20;

    public static ExecRequest? Read(int fd)
    {
        var bytes = RequestReader.ReadFile(fd, MaxBytes);
        if (bytes is null)
        {
            return null;
        }

        var reader = new RequestReader(bytes);
        return reader.UInt(out var magic) && magic == Magic && reader.String(out var cwd) && reader.Strings(out var argv)
               && argv.Length > 0 && reader.Strings(out var environment) && reader.AtEnd
            ? new ExecRequest(cwd, argv, environment)
            : null;
    }
}
