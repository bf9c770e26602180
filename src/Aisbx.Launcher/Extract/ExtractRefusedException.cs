namespace Aisbx.Launcher.Extract;

/// <summary>The archive (or tree) breaks a rule: the whole import stops, and the message names the entry and the rule.</summary>
internal sealed class ExtractRefusedException(string message) : Exception(message);
