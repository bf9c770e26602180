using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>
/// The JSON bodies of <c>POST /v1/sandboxes</c> and <c>POST …/exec</c>, written field by field (no reflection), with
/// only the fields the user gave. Text stays UTF-8 rather than <c>\uXXXX</c>, so stdin costs its own size, not six
/// times it. Durations go as the user wrote them (checked first), so the server's refusal of one names it alike.
/// </summary>
internal static class RequestBodies
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public sealed record Create(
        string? Profile, ImmutableSortedDictionary<string, string> Env, string? Network, ImmutableArray<string>? AllowHosts, long? MemoryBytes, int? Pids,
        string? CpuTime, string? IdleTimeout, string? MaxLifetime);

    public sealed record Exec(
        IReadOnlyList<string> Command, string? Cwd, ImmutableSortedDictionary<string, string> Env, string? Stdin, string? Timeout, bool Background);

    public static byte[] Of(Create create) => Write(writer =>
    {
        Text(writer, "profile", create.Profile);
        Map(writer, "env", create.Env);
        Text(writer, "network", create.Network);
        if (create.AllowHosts is { } hosts)
        {
            writer.WriteStartArray("allowHosts");
            foreach (var host in hosts)
            {
                writer.WriteStringValue(host);
            }

            writer.WriteEndArray();
        }

        Number(writer, "memory", create.MemoryBytes);
        Number(writer, "pids", create.Pids);
        Text(writer, "cpuTime", create.CpuTime);
        Text(writer, "idleTimeout", create.IdleTimeout);
        Text(writer, "maxLifetime", create.MaxLifetime);
    });

    public static byte[] Of(Exec exec) => Write(writer =>
    {
        writer.WriteStartArray("command");
        foreach (var word in exec.Command)
        {
            writer.WriteStringValue(word);
        }

        writer.WriteEndArray();
        Text(writer, "cwd", exec.Cwd);
        Map(writer, "env", exec.Env);
        Text(writer, "stdin", exec.Stdin);
        Text(writer, "timeout", exec.Timeout);
        if (exec.Background)
        {
            writer.WriteBoolean("background", true);
        }
    });

    private static byte[] Write(Action<Utf8JsonWriter> fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            fields(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void Text(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void Number(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    private static void Map(Utf8JsonWriter writer, string name, ImmutableSortedDictionary<string, string> map)
    {
        if (map.IsEmpty)
        {
            return;
        }

        writer.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }
}
