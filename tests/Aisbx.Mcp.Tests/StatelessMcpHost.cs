using System.Net;
using Aisbx.Core.Configuration;
using Aisbx.Server;
using Aisbx.Service;
using Aisbx.Service.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.AspNetCore;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// aisbx's MCP tools (exactly as aisbx-mcp registers them) on the SDK's stateless Streamable HTTP, on a free
/// loopback port: every request gets a fresh server, and no session ties calls together. aisbx-mcp itself serves
/// stateful sessions only; this host shows that the sandbox tools do not depend on one.
/// </summary>
public sealed class StatelessMcpHost : IAsyncLifetime
{
    private WebApplication? _app;
    private ServiceContext? _context;

    public string ConfigDirectory { get; } = McpServerProcess.PrivateConfig("");

    public Uri Url { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _context = new ServiceContext(AisbxConfigLoader.Load(ConfigDirectory), new JsonLinesEventLog(TextWriter.Null));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddAisbxMcp(_context).WithHttpTransport(options => options.SessionMode = HttpServerSessionMode.Stateless);
        _app = builder.Build();
        _app.MapMcp("/mcp");
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = new Uri(new Uri(address), "/mcp");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_context is not null)
        {
            await _context.Sandboxes.StopAllAsync(TimeSpan.FromSeconds(5));
            _context.Dispose();
        }

        Directory.Delete(ConfigDirectory, recursive: true);
    }
}
