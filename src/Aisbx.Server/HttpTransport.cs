using System.Net;
using Aisbx.Core.Configuration;
using Aisbx.Core.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aisbx.Server;

/// <summary>The supervisor service on Kestrel: the listen address, TLS and the body limit; the rest is <see cref="ServerComposition"/>.</summary>
internal static class HttpTransport
{
    /// <summary>Bodies above this are refused with 413 before anything is parsed (tool arguments are capped far lower).</summary>
    public const long MaxRequestBodyBytes = 4L << 20;

    public static async Task<int> RunAsync(AisbxConfig config, IPAddress address, int port, IReadOnlyList<string> extraHosts, IReadOnlyList<string> extraOrigins)
    {
        await using var app = Build(config, address, port, extraHosts, extraOrigins);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // Kestrel's bind failure: AddressInUseException (port taken) or a SocketException (address not ours, no permission).
            var reason = ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException ? "the port is in use" : "the address cannot be bound";
            throw new Core.AisbxException($"cannot listen on {Endpoint(address, port)}: {reason}: pick another --port (0 picks a free one), or stop what holds it");
        }

        var context = app.Services.GetRequiredService<Service.ServiceContext>();
        context.Runner.SweepLeftovers(context.Log, "server");
        context.Sandboxes.OpenJournal();
        context.Pool.WarmUp();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var keys = new ApiKeys(config.KeysFile, TimeProvider.System).Any();
        Console.Error.WriteLine($"aisbx-mcp: serving MCP at {bound}/mcp and the REST API at {bound}/v1 " +
            (keys ? "(API keys required)" : "(loopback only, OPEN: no API keys exist; create one with 'aisbx keys create --name NAME')"));
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    public static WebApplication Build(AisbxConfig config, IPAddress address, int port, IReadOnlyList<string> extraHosts, IReadOnlyList<string> extraOrigins)
    {
        var certificate = TlsCertificate.Load(config);
        var composition = new ServerComposition(config);

        // The content root is the install directory, never the current one: nothing found where the server happens
        // to be started (an appsettings.json with AllowedHosts, say) may change what it accepts.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, ApplicationName = "aisbx-mcp" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("ModelContextProtocol", LogLevel.Error) // a client's unknown method is its error, not the server's
            .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical); // a failed start is reported once, as one line
        composition.AddServices(builder.Services);

        var app = builder.Build();
        composition.UsePipeline(app, new HostOriginGuard(address, () => ActualPort(app, port), extraHosts, extraOrigins), app.Lifetime);
        return app;
    }

    private static string Endpoint(IPAddress address, int port) =>
        (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString()) + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);

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
