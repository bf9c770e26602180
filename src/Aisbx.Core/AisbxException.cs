namespace Aisbx.Core;

/// <summary>
/// An error whose message is safe to show to the caller: one line that says what failed and how to fix it.
/// Anything else that escapes is a bug and is reported without its details.
/// </summary>
public class AisbxException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>A configuration or profile file that cannot be used as written.</summary>
public sealed class ConfigurationException(string message, Exception? innerException = null) : AisbxException(message, innerException);
