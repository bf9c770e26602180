using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Launch;

/// <summary>An anonymous in-memory file holding generated content for bubblewrap (<c>--ro-bind-data</c>, <c>--seccomp</c>).</summary>
internal static class MemoryFile
{
    public static SafeFileHandle Create(string name, string content) => Create(name, Encoding.UTF8.GetBytes(content));

    public static unsafe SafeFileHandle Create(string name, ReadOnlySpan<byte> bytes)
    {
        var fd = MemfdCreate(name, MFD_CLOEXEC);
        if (fd < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "memfd_create failed");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        fixed (byte* data = bytes)
        {
            var written = 0;
            while (written < bytes.Length)
            {
                var n = Write(fd, data + written, bytes.Length - written);
                if (n < 0)
                {
                    handle.Dispose();
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), "write to memfd failed");
                }

                written += (int)n;
            }
        }

        _ = Lseek(fd, 0, 0);
        return handle;
    }
}
