namespace Aisbx.Sandbox;

/// <summary>Sandbox ids: short, random (from the kernel's generator, without loading a crypto library), safe in paths and logs.</summary>
public static class SandboxIds
{
    public static string New() => "sbx-" + Guid.NewGuid().ToString("N")[..16];
}
