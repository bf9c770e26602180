using System.Net;
using Aisbx.Core.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aisbx.Server;

/// <summary>MCP over Streamable HTTP at <c>/mcp</c>, with stateful sessions, on a loopback address.</summary>
internal static class HttpTransport
{
    /// <summary>Bodies above this are refused with 413 before anything is parsed (tool arguments are capped far lower).</summary>
    public const long MaxRequestBodyBytes = 4L << 20;

    public static async Task<int> RunAsync(AisbxConfig config, IPAddress address, int port, IReadOnlyList<string> extraHosts, IReadOnlyList<string> extraOrigins)
    {
        using var context = McpServerSetup.CreateContext(config);
        await using var app = Build(config, context, address, port, extraHosts, extraOrigins);
        await app.StartAsync().ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Console.Error.WriteLine($"aisbx-mcp: serving MCP at {bound}/mcp (loopback only, no API keys)");
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    public static WebApplication Build(AisbxConfig config, Mcp.AisbxMcpContext context, IPAddress address, int port, IReadOnlyList<string> extraHosts, IReadOnlyList<string> extraOrigins)
    {
        // The content root is the install directory, never the current one: nothing found where the server happens
        // to be started (an appsettings.json with AllowedHosts, say) may change what it accepts.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, ApplicationName = "aisbx-mcp" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port);
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddRoutingCore();
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("ModelContextProtocol", LogLevel.Error); // a client's unknown method is its error, not the server's
        builder.Services.AddAisbxMcp(context).WithHttpTransport(options => options.SessionMode = ModelContextProtocol.AspNetCore.HttpServerSessionMode.Stateful);

        var app = builder.Build();
        var guard = new HostOriginGuard(address, () => ActualPort(app, port), extraHosts, extraOrigins);
        app.Use(guard.InvokeAsync);
        app.Use(RequestShapeGuard.InvokeAsync);
        app.UseRouting();
        app.MapMcp("/mcp");
        app.Lifetime.ApplicationStopping.Register(() => context.Runs.StopAllAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult());
        return app;
    }

    private static int ActualPort(WebApplication app, int configured)
    {
        if (configured != 0)
        {
            return configured;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        return address is null ? 0 : new Uri(address).Port;
    }
}
