using System.IO.Compression;
using static Aisbx.Launcher.Extract.ExtractNative;

namespace Aisbx.Launcher.Extract;

/// <summary>
/// <c>aisbx-launch --extract MAXBYTES</c>: unpacks the tar (or gzip tar) on fd 0 into the working directory under
/// the rules for untrusted archives (<see cref="TarExtractor"/>). <c>aisbx-launch --extract --check MAXBYTES</c>
/// applies the same rules to the tree in the working directory that another tool unpacked (<see cref="TreeCheck"/>).
/// aisbx runs both as the build uid. Answer: lines on stdout (<see cref="ExtractOutput"/>); exit 0 when done, 1 when
/// refused, 2 when the tree could not be written.
/// </summary>
internal static class ExtractMode
{
    private const int Refused = 1;
    private const int Failed = 2;
    private const int Usage = 125;

    public static int Run(string[] args)
    {
        var check = args is [_, "--check", _];
        if (!(args.Length == (check ? 3 : 2)) || !long.TryParse(args[^1], out var maxBytes) || maxBytes <= 0)
        {
            return Report.Fail(Usage, "aisbx-launch: run by aisbx for an image import, as: aisbx-launch --extract [--check] MAXBYTES");
        }

        var root = Openat(-100, ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        if (root < 0)
        {
            return Report.Fail(Failed, $"aisbx-launch: cannot open the tree (errno {Errno})");
        }

        try
        {
            var size = check ? new TreeCheck(maxBytes).Check(root) : Unpack(root, maxBytes);
            ExtractOutput.Size(size);
            return 0;
        }
        catch (ExtractRefusedException ex)
        {
            ExtractOutput.Refused(ex.Message);
            return Refused;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Report.Fail(Failed, $"aisbx-launch: {ex.Message}");
        }
        finally
        {
            _ = Close(root);
        }
    }

    private static long Unpack(int root, long maxBytes)
    {
        using var input = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 1 << 16);
        var head = new byte[2];
        var got = input.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        Stream archive = new PrefixedStream(head.AsMemory(0, got), input);
        if (got == 2 && head[0] == 0x1f && head[1] == 0x8b)
        {
            archive = new GZipStream(archive, CompressionMode.Decompress);
        }

        using (archive)
        {
            return new TarExtractor(root, maxBytes).Extract(archive);
        }
    }
}
