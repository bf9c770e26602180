using System.Buffers.Binary;

namespace Aisbx.Launcher;

/// <summary>
/// The frames of the agent's control socket (a seqpacket socket, so each frame is one message), in both
/// directions 32 bytes, little-endian: <c>u32 type, u32 id, i32 a, i32 b, u64 c, u64 d</c>. Descriptors travel
/// beside a frame as SCM_RIGHTS. aisbx compiles this same file (<c>Aisbx.Sandbox.csproj</c>), and believes nothing
/// of what the agent sends in it before checking it.
/// </summary>
internal readonly record struct AgentMessage(uint Type, uint Id, int A, int B, ulong C, ulong D)
{
    public const int Size = 32;

    // aisbx → agent
    public const uint Exec = 1;     // fds: request, stdin, stdout, stderr
    public const uint Signal = 2;   // a: the signal, sent to the exec's process group
    public const uint File = 3;     // a: the operation; fds: request, and a reply file for read and list

    // agent → aisbx
    public const uint Ready = 100;  // fds: the seccomp listener
    public const uint Started = 101; // a: the pid inside
    public const uint Failed = 102;  // a: exit code (125 bad cwd, 126, 127), b: errno
    public const uint Exited = 103;  // a: wait status, c: CPU time in microseconds, d: bytes used in /workspace
    public const uint FileDone = 104; // a: errno (0 when done), c: bytes (written, or the file's size), d: flags

    public const int FileWrite = 1;
    public const int FileRead = 2;
    public const int FileList = 3;
    public const int FileRemove = 4;
    public const int FileUsage = 5; // no descriptors; c: bytes used in /workspace

    /// <summary>Set in <see cref="D"/> of a listing that stopped at its cap.</summary>
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

    public static AgentMessage ReadFrom(ReadOnlySpan<byte> buffer) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(buffer),
        BinaryPrimitives.ReadUInt32LittleEndian(buffer[4..]),
        BinaryPrimitives.ReadInt32LittleEndian(buffer[8..]),
        BinaryPrimitives.ReadInt32LittleEndian(buffer[12..]),
        BinaryPrimitives.ReadUInt64LittleEndian(buffer[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(buffer[24..]));
}
