using System.Buffers.Binary;

namespace Aisbx.Sandbox.Live;

/// <summary>
/// One frame of a live sandbox's control socket, as the agent defines it (<c>src/Aisbx.Launcher/Agent/AgentMessage.cs</c>):
/// 32 bytes, little-endian, <c>u32 type, u32 id, i32 a, i32 b, u64 c, u64 d</c>, with descriptors beside it.
/// Everything the agent sends is checked by <see cref="LiveSandbox"/> before it is believed.
/// </summary>
internal readonly record struct AgentFrame(uint Type, uint Id, int A, int B, ulong C, ulong D)
{
    public const int Size = 32;

    public const uint Exec = 1;
    public const uint Signal = 2;
    public const uint File = 3;

    public const uint Ready = 100;
    public const uint Started = 101;
    public const uint Failed = 102;
    public const uint Exited = 103;
    public const uint FileDone = 104;

    public const int FileWrite = 1;
    public const int FileRead = 2;
    public const int FileList = 3;
    public const int FileRemove = 4;
    public const int FileUsage = 5;

    public const ulong ListingTruncated = 1;

    public void WriteTo(Span<byte> buffer)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, Type);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[4..], Id);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[8..], A);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[12..], B);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[16..], C);
        BinaryPrimitives.WriteUInt64LittleEndian(buffer[24..], D);
    }

    public static AgentFrame ReadFrom(ReadOnlySpan<byte> buffer) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(buffer),
        BinaryPrimitives.ReadUInt32LittleEndian(buffer[4..]),
        BinaryPrimitives.ReadInt32LittleEndian(buffer[8..]),
        BinaryPrimitives.ReadInt32LittleEndian(buffer[12..]),
        BinaryPrimitives.ReadUInt64LittleEndian(buffer[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(buffer[24..]));
}
