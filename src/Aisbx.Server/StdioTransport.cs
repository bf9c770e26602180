using System.Runtime.InteropServices;
using Aisbx.Core.Configuration;
using ModelContextProtocol.Server;

namespace Aisbx.Server;

/// <summary>
/// MCP over stdin/stdout: stdout carries the protocol only; logs and events go to stderr. One client, one server:
/// no Generic Host and no container (under NativeAOT their building was a third of the time to the first reply).
/// </summary>
internal static class StdioTransport
{
    public static async Task<int> RunAsync(AisbxConfig config)
    {
        if (!Sandbox.CallerDescriptors.IsCallers(0) || !Sandbox.CallerDescriptors.IsCallers(1))
        {
            // Otherwise the transport would read the runtime's own descriptor (/dev/urandom when stdin was closed).
            throw new Core.AisbxException("stdin or stdout is closed: the stdio transport needs the client's pipes on both (or use --transport http)");
        }

        using var loggers = StderrLoggerProvider.CreateFactory();
        var (context, audit) = McpServerSetup.CreateStdioContext(config);
        using var contextLifetime = context;
        context.Runner.SweepLeftovers(context.Log, "mcp:stdio");
        context.Sandboxes.OpenJournal();
        context.Pool.WarmUp();
        await using var auditLifetime = audit;

        var options = new McpServerOptions();
        McpServerSetup.Configure(options, context);
        await using var server = McpServer.Create(new StdioServerTransport(options, loggers), options, loggers);

        // As the Generic Host's console lifetime did: SIGTERM, SIGINT and SIGQUIT end every run and sandbox first
        // (their calls still answer), then the session; a client that closes stdin ends the session first.
        var stopped = new CancellationTokenSource();
        var stopAll = new Lazy<Task>(() => context.StopAllAsync(TimeSpan.FromSeconds(5)));
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            _ = Task.Run(async () =>
            {
                await stopAll.Value.ConfigureAwait(false);
                await stopped.CancelAsync().ConfigureAwait(false);
            });
        }

        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);
        try
        {
            await server.RunAsync(stopped.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopped.IsCancellationRequested)
        {
        }

        await stopAll.Value.ConfigureAwait(false);
        return 0;
    }
}
