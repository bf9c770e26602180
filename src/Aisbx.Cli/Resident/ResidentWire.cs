using System.Buffers;
using System.Text.Json;

namespace Aisbx.Cli.Resident;

/// <summary>
/// The resident messages as JSON, written and read by hand: both ends are the same build, and a client's start
/// should not pay for System.Text.Json's metadata (built through reflection on first use, about a millisecond).
/// Anything malformed reads as null.
/// </summary>
internal static class ResidentWire
{
    public static byte[] Encode(ResidentRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("build", request.Build);
            json.WriteString("environment", request.Environment);
            json.WriteString("profile", request.Profile);
            json.WriteStartArray("command");
            foreach (var arg in request.Command)
            {
                json.WriteStringValue(arg);
            }

            json.WriteEndArray();
            json.WriteStartObject("env");
            foreach (var (name, value) in request.Env)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
            WriteOptional(json, "network", request.Network);
            WriteOptional(json, "wallTimeTicks", request.WallTimeTicks);
            WriteOptional(json, "cpuTimeTicks", request.CpuTimeTicks);
            WriteOptional(json, "memoryBytes", request.MemoryBytes);
            WriteOptional(json, "pids", request.Pids);
            json.WriteBoolean("json", request.Json);
            json.WriteBoolean("stdoutOpen", request.StdoutOpen);
            json.WriteBoolean("stderrOpen", request.StderrOpen);
            WriteOptional(json, "checkout", request.Checkout);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Encode(ResidentReply reply)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("outcome", reply.Outcome);
            json.WriteNumber("exitCode", reply.ExitCode);
            WriteOptional(json, "reason", reply.Reason);
            WriteOptional(json, "message", reply.Message);
            json.WriteBoolean("refused", reply.Refused);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static ResidentRequest? DecodeRequest(ReadOnlyMemory<byte> message)
    {
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            return new ResidentRequest
            {
                Build = root.GetProperty("build").GetString()!,
                Environment = root.GetProperty("environment").GetString()!,
                Profile = root.GetProperty("profile").GetString()!,
                Command = [.. root.GetProperty("command").EnumerateArray().Select(arg => arg.GetString()!)],
                Env = root.GetProperty("env").EnumerateObject().ToDictionary(pair => pair.Name, pair => pair.Value.GetString()!, StringComparer.Ordinal),
                Network = OptionalString(root, "network"),
                WallTimeTicks = OptionalInt64(root, "wallTimeTicks"),
                CpuTimeTicks = OptionalInt64(root, "cpuTimeTicks"),
                MemoryBytes = OptionalInt64(root, "memoryBytes"),
                Pids = OptionalInt64(root, "pids") is { } pids ? checked((int)pids) : null,
                Json = root.GetProperty("json").GetBoolean(),
                StdoutOpen = root.GetProperty("stdoutOpen").GetBoolean(),
                StderrOpen = root.GetProperty("stderrOpen").GetBoolean(),
                Checkout = OptionalString(root, "checkout"),
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException or NullReferenceException)
        {
            return null;
        }
    }

    public static ResidentReply? DecodeReply(ReadOnlyMemory<byte> message)
    {
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            return new ResidentReply
            {
                Outcome = root.GetProperty("outcome").GetString()!,
                ExitCode = root.GetProperty("exitCode").GetInt32(),
                Reason = OptionalString(root, "reason"),
                Message = OptionalString(root, "message"),
                Refused = root.GetProperty("refused").GetBoolean(),
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or OverflowException or NullReferenceException)
        {
            return null;
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static long? OptionalInt64(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) ? value.GetInt64() : null;
}
