namespace Aisbx.Core.Security;

/// <summary>How serious a security event is; the severity policy acts on <see cref="High"/> and above.</summary>
public enum Severity
{
    Low,
    Medium,
    High,
    Critical,
}

public static class SeverityText
{
    public static string Name(this Severity severity) => severity switch
    {
        Severity.Low => "low",
        Severity.Medium => "medium",
        Severity.High => "high",
        _ => "critical",
    };

    public static bool TryParse(string text, out Severity severity)
    {
        foreach (var candidate in Enum.GetValues<Severity>())
        {
            if (candidate.Name() == text)
            {
                severity = candidate;
                return true;
            }
        }

        severity = default;
        return false;
    }
}
