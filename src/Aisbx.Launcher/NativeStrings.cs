using System.Runtime.InteropServices;
using System.Text;

namespace Aisbx.Launcher;

/// <summary>NUL-terminated UTF-8 strings and string vectors in native memory, freed together.</summary>
internal sealed unsafe class NativeStrings : IDisposable
{
    private readonly List<nint> _allocations = [];

    public byte** Vector(IReadOnlyList<string> items)
    {
        var vector = (byte**)NativeMemory.AllocZeroed((nuint)(items.Count + 1), (nuint)sizeof(nint));
        _allocations.Add((nint)vector);
        for (var i = 0; i < items.Count; i++)
        {
            vector[i] = Utf8(items[i]);
        }

        return vector;
    }

    public byte* Utf8(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var bytes = (byte*)NativeMemory.Alloc((nuint)length + 1);
        _allocations.Add((nint)bytes);
        Encoding.UTF8.GetBytes(text, new Span<byte>(bytes, length));
        bytes[length] = 0;
        return bytes;
    }

    public void Dispose()
    {
        foreach (var allocation in _allocations)
        {
            NativeMemory.Free((void*)allocation);
        }

        _allocations.Clear();
    }
}
