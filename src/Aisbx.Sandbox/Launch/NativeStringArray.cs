using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Launch;

/// <summary>A NULL-terminated array of UTF-8 C strings (argv, envp) in unmanaged memory.</summary>
internal sealed class NativeStringArray : IDisposable
{
    private NativeStringArray(nint[] pointers) => Pointers = pointers;

    public nint[] Pointers { get; }

    public static NativeStringArray Create(IEnumerable<string> values)
    {
        var pointers = new List<nint>();
        foreach (var value in values)
        {
            pointers.Add(Marshal.StringToCoTaskMemUTF8(value));
        }

        pointers.Add(0);
        return new NativeStringArray([.. pointers]);
    }

    public void Dispose()
    {
        foreach (var pointer in Pointers)
        {
            if (pointer != 0)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }
}
