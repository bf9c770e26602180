using System.Runtime.InteropServices;

namespace Aisbx.Sandbox.Interop;

/// <summary>POSIX ACLs through libacl, the library behind getfacl/setfacl.</summary>
internal static partial class Interop
{
    internal const int ACL_TYPE_ACCESS = 0x8000;
    internal const int ACL_TYPE_DEFAULT = 0x4000;
    internal const int TEXT_NUMERIC_IDS = 0x08;

    [LibraryImport(Libraries.Acl, EntryPoint = "acl_get_file", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint AclGetFile(string path, int type);

    [LibraryImport(Libraries.Acl, EntryPoint = "acl_to_any_text", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint AclToAnyText(nint acl, string? prefix, byte separator, int options);

    [LibraryImport(Libraries.Acl, EntryPoint = "acl_from_text", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint AclFromText(string text);

    [LibraryImport(Libraries.Acl, EntryPoint = "acl_calc_mask", SetLastError = true)]
    internal static partial int AclCalcMask(ref nint acl);

    [LibraryImport(Libraries.Acl, EntryPoint = "acl_set_file", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int AclSetFile(string path, int type, nint acl);

    /// <summary>1 when the file has an access ACL beyond its mode bits or a default ACL, 0 when not, -1 on error.</summary>
    [LibraryImport(Libraries.Acl, EntryPoint = "acl_extended_file", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int AclExtendedFile(string path);

    [LibraryImport(Libraries.Acl, EntryPoint = "acl_delete_def_file", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int AclDeleteDefFile(string path);

    [LibraryImport(Libraries.Acl, EntryPoint = "acl_free")]
    internal static partial int AclFree(nint pointer);
}
