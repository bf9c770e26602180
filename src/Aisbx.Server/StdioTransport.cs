using Aisbx.Core.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aisbx.Server;

/// <summary>MCP over stdin/stdout: stdout carries the protocol only; logs and events go to stderr.</summary>
internal static class StdioTransport
{
    public static async Task<int> RunAsync(AisbxConfig config)
    {
        if (!Sandbox.CallerDescriptors.IsCallers(0) || !Sandbox.CallerDescriptors.IsCallers(1))
        {
            // Otherwise the transport would read the runtime's own descriptor (/dev/urandom when stdin was closed).
            throw new Core.AisbxException("stdin or stdout is closed: the stdio transport needs the client's pipes on both (or use --transport http)");
        }

        // An empty builder: no appsettings.json from wherever the server was started, no environment overrides.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("ModelContextProtocol", LogLevel.Error); // a client's unknown method is its error, not the server's
        var (context, audit) = McpServerSetup.CreateStdioContext(config);
        using var contextLifetime = context;
        context.Runner.SweepLeftovers(context.Log, "mcp:stdio");
        await using var auditLifetime = audit;
        builder.Services.AddAisbxMcp(context).WithStdioServerTransport();
        using var host = builder.Build();
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
        {
            context.Runs.StopAllAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
            context.Sandboxes.StopAllAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        });
        await host.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
