using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    // <spawn.h> (glibc)
    internal const short POSIX_SPAWN_RESETIDS = 0x01;
    internal const short POSIX_SPAWN_SETPGROUP = 0x02;
    internal const short POSIX_SPAWN_SETSIGDEF = 0x04;
    internal const short POSIX_SPAWN_SETSIGMASK = 0x08;

    // Opaque glibc structures; these sizes are generous upper bounds for every 64-bit ABI.
    internal const int PosixSpawnFileActionsSize = 256;
    internal const int PosixSpawnAttrSize = 1024;
    internal const int SigsetSize = 128;

    internal const int SIGKILL = 9;
    internal const int SIGSTOP = 19;

    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawn", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int PosixSpawn(out int pid, string path, void* fileActions, void* attributes, nint* argv, nint* envp);

    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawn_file_actions_init")]
    internal static unsafe partial int PosixSpawnFileActionsInit(void* fileActions);

    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawn_file_actions_destroy")]
    internal static unsafe partial int PosixSpawnFileActionsDestroy(void* fileActions);

    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawn_file_actions_adddup2")]
    internal static unsafe partial int PosixSpawnFileActionsAddDup2(void* fileActions, int fd, int newFd);

    /// <summary>glibc 2.34+: closes every descriptor from <paramref name="lowFd"/> up in the child.</summary>
    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    internal static unsafe partial int PosixSpawnFileActionsAddCloseFrom(void* fileActions, int lowFd);

    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawnattr_init")]
    internal static unsafe partial int PosixSpawnAttrInit(void* attributes);

    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawnattr_destroy")]
    internal static unsafe partial int PosixSpawnAttrDestroy(void* attributes);

    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawnattr_setflags")]
    internal static unsafe partial int PosixSpawnAttrSetFlags(void* attributes, short flags);

    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawnattr_setsigmask")]
    internal static unsafe partial int PosixSpawnAttrSetSigMask(void* attributes, void* sigset);

    [LibraryImport(Libraries.Libc, EntryPoint = "posix_spawnattr_setsigdefault")]
    internal static unsafe partial int PosixSpawnAttrSetSigDefault(void* attributes, void* sigset);

    [LibraryImport(Libraries.Libc, EntryPoint = "sigemptyset")]
    internal static unsafe partial int SigEmptySet(void* sigset);

    [LibraryImport(Libraries.Libc, EntryPoint = "sigfillset")]
    internal static unsafe partial int SigFillSet(void* sigset);

    [LibraryImport(Libraries.Libc, EntryPoint = "sigdelset")]
    internal static unsafe partial int SigDelSet(void* sigset, int signal);
}
