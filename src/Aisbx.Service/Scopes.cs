namespace Aisbx.Service;

/// <summary>What an API key may be allowed to do (<c>aisbx keys create --scope ...</c>); <c>*</c> allows everything.</summary>
public static class Scopes
{
    public const string Run = "run";

    public const string Build = "build";

    public const string Read = "read";

    public const string Metrics = "metrics";

    /// <summary>The scope that lets a run be given the named secret.</summary>
    public static string Secret(string name) => "secret:" + name;
}
