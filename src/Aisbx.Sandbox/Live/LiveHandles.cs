using System.Security.Cryptography;

namespace Aisbx.Sandbox.Live;

/// <summary>Handles of live sandboxes: <c>sbx-</c> and 128 bits from the kernel's generator, as 32 hex digits.</summary>
public static class LiveHandles
{
    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static string New() => "sbx-" + RandomNumberGenerator.GetHexString(32, lowercase: true);

    /// <summary>Whether a string has a handle's shape (it says nothing of whether the sandbox exists).</summary>
    public static bool IsWellFormed(string? handle) =>
        handle is { Length: 36 } && handle.StartsWith("sbx-", StringComparison.Ordinal) && !handle.AsSpan(4).ContainsAnyExcept(HexDigits);
}
