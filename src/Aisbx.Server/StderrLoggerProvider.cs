using Microsoft.Extensions.Logging;

namespace Aisbx.Server;

/// <summary>
/// The server's log: one line per entry on stderr, <c>aisbx-mcp: warn: Category: message</c>, and of an
/// exception its type and message only (no stack trace). Not the console logger: its options monitors, three
/// formatters and the container they need were a fifth of the time to the first reply under NativeAOT, for a log
/// that stays silent unless something fails.
/// </summary>
internal sealed class StderrLoggerProvider : ILoggerProvider
{
    /// <summary>Warnings and worse; of the SDK only errors (a client's unknown method is its error, not the server's).</summary>
    public static ILoggerFactory CreateFactory() => new LoggerFactory(
        [new StderrLoggerProvider()],
        new LoggerFilterOptions { MinLevel = LogLevel.Warning, Rules = { new LoggerFilterRule(null, "ModelContextProtocol", LogLevel.Error, null) } });

    public ILogger CreateLogger(string categoryName) => new StderrLogger(categoryName);

    public void Dispose()
    {
    }

    private sealed class StderrLogger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"aisbx-mcp: {Level(logLevel)}: {category}: {formatter(state, exception)}";
            Console.Error.WriteLine(exception is null ? line : $"{line} ({exception.GetType().Name}: {exception.Message.Split('\n')[0]})");
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }
}
