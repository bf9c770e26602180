namespace Aisbx.Sandbox.Launch;

/// <summary>How a child ended, with the CPU time of it and every descendant it reaped.</summary>
internal readonly record struct ChildExit(int? ExitCode, int? Signal, double CpuTimeMs);
