using System.Security.Cryptography;

namespace Aisbx.Sandbox;

/// <summary>Sandbox ids: short, random, safe in paths and logs.</summary>
public static class SandboxIds
{
    public static string New() => "sbx-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
