namespace Aisbx.Sandbox.Interop;

internal static partial class Interop
{
    internal static class Libraries
    {
        internal const string Libc = "libc";
        internal const string Acl = "libacl.so.1";
    }

    internal const int EINTR = 4;
}
