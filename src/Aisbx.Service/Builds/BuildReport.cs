namespace Aisbx.Service.Builds;

/// <summary>What preparing a profile found and prepared (<c>aisbx-build</c>, <c>POST /v1/builds</c>).</summary>
public sealed record BuildReport(string Profile, bool Ready, IReadOnlyList<string> Toolchain, IReadOnlyList<string> MissingTools, string? InstallHint, int FilterInstructions);
