using System.Globalization;
using System.Text;
using System.Text.Json;
using Aisbx.Service;

namespace Aisbx.Mcp.Sandboxes;

/// <summary>The arguments the sandbox tools add to the service's own: the handle, a process id, a path, bytes as text or base64, a mode.</summary>
internal static class SandboxToolArguments
{
    public const string SandboxId = "sandboxId";

    /// <summary>The handle, which every tool but create and list needs.</summary>
    public static string Handle(IReadOnlyDictionary<string, JsonElement> arguments) =>
        JsonFields.Text(arguments, SandboxId) is { Length: > 0 } handle
            ? handle
            : throw new ToolArgumentException("'sandboxId' is required: give the sandboxId that aisbx-sandbox-create returned (aisbx-sandbox-list shows yours)");

    public static int ProcessId(IReadOnlyDictionary<string, JsonElement> arguments) =>
        (int?)JsonFields.WholeNumber(arguments, "processId", 1, int.MaxValue)
        ?? throw new ToolArgumentException("'processId' is required: give the processId that aisbx-sandbox-exec returned for background: true");

    public static long Offset(IReadOnlyDictionary<string, JsonElement> arguments, string name) =>
        JsonFields.WholeNumber(arguments, name, 0, long.MaxValue) ?? 0;

    public static string Path(IReadOnlyDictionary<string, JsonElement> arguments) =>
        JsonFields.Text(arguments, "path") is { Length: > 0 } path
            ? path
            : throw new ToolArgumentException("'path' is required: give a path relative to /workspace (e.g. \"src/main.py\"), or under /workspace or /tmp");

    /// <summary>Bytes given as text (<paramref name="textName"/>, written as UTF-8) or as base64 (<paramref name="textName"/>Base64), not both.</summary>
    /// <returns>The bytes, or null when neither was given.</returns>
    public static byte[]? Bytes(IReadOnlyDictionary<string, JsonElement> arguments, string textName)
    {
        var base64Name = textName + "Base64";
        var text = JsonFields.Text(arguments, textName);
        var base64 = JsonFields.Text(arguments, base64Name);
        if (text is not null && base64 is not null)
        {
            throw new ToolArgumentException($"give '{textName}' (text) or '{base64Name}' (binary, base64), not both");
        }

        if (base64 is null)
        {
            return text is null ? null : Encoding.UTF8.GetBytes(text);
        }

        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new ToolArgumentException($"'{base64Name}' is not base64: give the bytes in standard base64 (A-Z, a-z, 0-9, +, /, padded with =), or text as '{textName}'");
        }
    }

    /// <summary>
    /// A file's permission bits: an octal string (<c>"0755"</c>, <c>"644"</c>) or a number whose digits are read as
    /// octal, as chmod reads them (<c>755</c>); 0644 when not given.
    /// </summary>
    public static uint Mode(IReadOnlyDictionary<string, JsonElement> arguments)
    {
        if (!arguments.TryGetValue("mode", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return 0x1A4;
        }

        var digits = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number when value.TryGetInt32(out var number) && number >= 0 => number.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        if (digits is { Length: > 0 and <= 4 } && digits.All(c => c is >= '0' and <= '7'))
        {
            var mode = Convert.ToUInt32(digits, 8);
            if (mode <= 0x1FF)
            {
                return mode;
            }
        }

        throw new ToolArgumentException(
            $"'mode' {(value.ValueKind == JsonValueKind.String ? $"\"{JsonFields.Printable(value.GetString()!)}\"" : JsonFields.Describe(value))} is not a file mode: " +
            "give permission bits in octal from 0000 to 0777, as a string like \"0755\" or as a number like 644");
    }
}
