using System.Runtime.InteropServices;
using Aisbx.Sandbox.Bubblewrap;
using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Launch;

/// <summary>
/// How a root aisbx starts bubblewrap as the unprivileged uid without a setpriv in between (a whole exec of a
/// dynamically linked program per sandbox start): for the length of one posix_spawn, the calling thread alone gets
/// the uid and gid as its <em>real</em> ids and no supplementary groups, while its effective ids stay root; the spawn
/// uses POSIX_SPAWN_RESETIDS, so the child sets its effective ids to those real ones before execve, and execve makes
/// the saved ids the same and leaves it no capability. The thread is root again as soon as the spawn returns.
/// </summary>
/// <remarks>
/// setpriv also emptied the bounding and inheritable sets; a new user namespace, which bubblewrap always makes,
/// resets both in the kernel anyway, and bubblewrap's <c>--cap-drop ALL</c> empties them inside.
/// </remarks>
internal readonly ref struct UnprivilegedSpawnScope
{
    private const int MostGroups = 65536;

    private readonly uint[]? _groups;
    private readonly int _uid;
    private readonly int _gid;

    private UnprivilegedSpawnScope(uint[] groups, int uid, int gid)
    {
        _groups = groups;
        _uid = uid;
        _gid = gid;
    }

    /// <summary>Makes the calling thread's real ids the identity's; a no-op scope when there is no identity.</summary>
    public static UnprivilegedSpawnScope Enter(HostIdentity? identity)
    {
        if (identity is not { } runAs)
        {
            return default;
        }

        var (uid, gid) = ((int)GetRealUserId(), (int)GetRealGroupId());
        var count = ThreadGetGroups([]);
        var groups = new uint[Math.Clamp(count, 0, MostGroups)];
        if (count < 0 || ThreadGetGroups(groups) != count)
        {
            throw SpawnFailure.Preparing(Marshal.GetLastPInvokeError(), "reading the thread's groups");
        }

        // Groups first, while the thread may still change them; then the real gid and uid. Effective and saved stay 0.
        if (ThreadSetGroups([]) != 0 || ThreadSetResGid(runAs.Gid, -1, -1) != 0 || ThreadSetResUid(runAs.Uid, -1, -1) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            Restore(groups, uid, gid);
            throw SpawnFailure.Preparing(error, "taking the sandbox's uid on the spawning thread");
        }

        return new UnprivilegedSpawnScope(groups, uid, gid);
    }

    public void Dispose()
    {
        if (_groups is not null)
        {
            Restore(_groups, _uid, _gid);
        }
    }

    private static void Restore(uint[] groups, int uid, int gid)
    {
        // The effective uid is still 0, so none of these can be refused; a thread left half-changed must not go on.
        if (ThreadSetResUid(uid, -1, -1) != 0 || ThreadSetResGid(gid, -1, -1) != 0 || ThreadSetGroups(groups) != 0)
        {
            Environment.FailFast("aisbx could not give its spawning thread back its own ids");
        }
    }
}
