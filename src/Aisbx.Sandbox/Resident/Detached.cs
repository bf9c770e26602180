using static Aisbx.Sandbox.Interop.Interop;

namespace Aisbx.Sandbox.Resident;

/// <summary>A server that outlives the command that started it: a session of its own, and nothing of its caller's stdio.</summary>
public static class Detached
{
    /// <summary>Leaves the caller's session (no terminal, no Ctrl-C of its) and puts /dev/null at 0, 1 and 2.</summary>
    public static void FromCaller()
    {
        _ = SetSid();
        var devNull = Open("/dev/null", O_RDWR | O_CLOEXEC, 0);
        if (devNull < 0)
        {
            return;
        }

        for (var fd = 0; fd < 3; fd++)
        {
            _ = Dup3(devNull, fd, O_CLOEXEC);
        }

        _ = Close(devNull);
    }

    /// <summary>
    /// Marks every descriptor from 3 up close-on-exec, so that a process started next gets none that this one
    /// inherited from its caller (a build's jobserver, a test runner's pipe, which would then stay open for as long
    /// as a server lives).
    /// </summary>
    public static void InheritNothingPastStdio() => _ = CloseRange(3, uint.MaxValue, CLOSE_RANGE_CLOEXEC);
}
