using System.Collections.Immutable;
using System.Globalization;
using Aisbx.Core.Units;

namespace Aisbx.Core.Runs;

/// <summary>A limit a run can reach, with the unit its value is counted in.</summary>
public sealed record LimitKind(string Name, LimitUnit Unit)
{
    public static LimitKind WallTime { get; } = new("wall-time", LimitUnit.Milliseconds);

    public static LimitKind CpuTime { get; } = new("cpu-time", LimitUnit.Milliseconds);

    public static LimitKind Memory { get; } = new("memory", LimitUnit.Bytes);

    public static LimitKind Pids { get; } = new("pids", LimitUnit.Processes);

    public static LimitKind FileSize { get; } = new("file-size", LimitUnit.Bytes);

    public static LimitKind Output { get; } = new("output", LimitUnit.Bytes);

    public static LimitKind Stdin { get; } = new("stdin", LimitUnit.Bytes);

    /// <summary>What a live sandbox's /workspace may hold.</summary>
    public static LimitKind Workspace { get; } = new("workspace", LimitUnit.Bytes);

    /// <summary>What the egress proxy carries, both ways together, over the sandbox's life.</summary>
    public static LimitKind EgressBytes { get; } = new("egress-bytes", LimitUnit.Bytes);

    /// <summary>How many connections the egress proxy takes over the sandbox's life.</summary>
    public static LimitKind EgressConnections { get; } = new("egress-connections", LimitUnit.Connections);

    /// <summary>Every kind a result can name, for metrics that must exist before the first hit.</summary>
    public static ImmutableArray<LimitKind> All { get; } = [WallTime, CpuTime, Memory, Pids, FileSize, Output, Stdin, Workspace, EgressBytes, EgressConnections];

    public LimitHit Hit(long value) => new(Name, value) { Unit = Unit.Name() };

    /// <summary>The value as a person reads it: <c>2000 ms</c>, <c>256M bytes</c>, <c>64 processes</c>.</summary>
    public string Describe(long value) => Unit switch
    {
        LimitUnit.Bytes => value >= 1024 ? $"{ByteSize.Format(value)} = {value.ToString(CultureInfo.InvariantCulture)} bytes" : $"{value.ToString(CultureInfo.InvariantCulture)} bytes",
        _ => $"{value.ToString(CultureInfo.InvariantCulture)} {Unit.Name()}",
    };

    public static LimitKind? Named(string name) => All.FirstOrDefault(kind => kind.Name == name);
}

public enum LimitUnit
{
    Milliseconds,
    Bytes,
    Processes,
    Connections,
}

public static class LimitUnitNames
{
    public static string Name(this LimitUnit unit) => unit switch
    {
        LimitUnit.Milliseconds => "ms",
        LimitUnit.Bytes => "bytes",
        LimitUnit.Processes => "processes",
        LimitUnit.Connections => "connections",
        _ => throw new ArgumentOutOfRangeException(nameof(unit)),
    };
}
