using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Aisbx.Sandbox.Launch;
using Microsoft.Win32.SafeHandles;

namespace Aisbx.Sandbox.Live;

/// <summary>
/// The request files that go with exec and file frames, in the agent's format (<c>ExecRequest.cs</c> and
/// <c>FileRequest.cs</c> in the launcher): memory files, so that no size limit of the socket applies.
/// </summary>
internal static class AgentRequests
{
    private const uint ExecMagic = 0x31455841; // "AXE1"
    private const uint FileMagic = 0x31465841; // "AXF1"

    public static SafeFileHandle Exec(string workingDirectory, IReadOnlyList<string> argv, IReadOnlyList<KeyValuePair<string, string>> environment)
    {
        var writer = new ArrayBufferWriterLE();
        writer.UInt(ExecMagic);
        writer.String(workingDirectory);
        writer.UInt((uint)argv.Count);
        foreach (var argument in argv)
        {
            writer.String(argument);
        }

        writer.UInt((uint)environment.Count);
        foreach (var (name, value) in environment)
        {
            writer.String(name + "=" + value);
        }

        return MemoryFile.Create("aisbx-exec", writer.Written);
    }

    /// <param name="limit">Bytes a read may return, or entries a listing may hold.</param>
    public static SafeFileHandle File(string path, uint mode, bool createParents, ulong limit, ReadOnlySpan<byte> content)
    {
        var writer = new ArrayBufferWriterLE();
        writer.UInt(FileMagic);
        writer.String(path);
        writer.UInt(mode);
        writer.UInt(createParents ? 1u : 0u);
        writer.ULong(limit);
        writer.Bytes(content);
        return MemoryFile.Create("aisbx-file", writer.Written);
    }

    private sealed class ArrayBufferWriterLE
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();

        public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

        public void UInt(uint value)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.GetSpan(4), value);
            _buffer.Advance(4);
        }

        public void ULong(ulong value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(_buffer.GetSpan(8), value);
            _buffer.Advance(8);
        }

        public void String(string value)
        {
            var length = Encoding.UTF8.GetByteCount(value);
            UInt((uint)length);
            Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
            _buffer.Advance(length);
        }

        public void Bytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);
    }
}
