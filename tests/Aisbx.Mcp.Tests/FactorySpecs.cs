using System.Net;
using Aisbx.Core.Configuration;
using Aisbx.Core.Security;
using Aisbx.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// The service's controls through ASP.NET Core's WebApplicationFactory (in-memory TestServer), composed exactly as
/// aisbx-mcp composes them; the same controls over real HTTP are in SupervisorSpecs and ServerBinarySpecs.
/// </summary>
public sealed class FactorySpecs : IAsyncLifetime
{
    private readonly string _config = McpServerProcess.PrivateConfig("[server]\nrequests_per_minute = 3\n");
    private AisbxServerFactory _factory = null!;
    private string _key = "";

    public ValueTask InitializeAsync()
    {
        _key = new ApiKeys(Path.Combine(_config, "keys.json"), TimeProvider.System).Create("factory", null, ["*"]).Key;
        _factory = new AisbxServerFactory(AisbxConfigLoader.Load(_config));
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        Directory.Delete(_config, recursive: true);
    }

    [Fact]
    public async Task Keys_headers_and_the_rate_limit_hold_in_the_test_server_too()
    {
        using var anonymous = _factory.CreateClient();
        using var keyed = _factory.CreateClient();
        keyed.DefaultRequestHeaders.Add("X-API-Key", _key);

        var unauthorized = await anonymous.GetAsync("/v1/profiles", TestContext.Current.CancellationToken);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await keyed.GetAsync("/v1/profiles", TestContext.Current.CancellationToken)).StatusCode);
        }

        var health = await anonymous.GetAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("nosniff", unauthorized.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("DENY", health.Headers.GetValues("X-Frame-Options").Single());
    }

    /// <summary>Hosts <see cref="ServerComposition"/> in the factory's TestServer instead of Kestrel.</summary>
    private sealed class AisbxServerFactory(AisbxConfig config) : WebApplicationFactory<Program>
    {
        private readonly ServerComposition _composition = new(config);

        protected override IHostBuilder CreateHostBuilder() =>
            Host.CreateDefaultBuilder().ConfigureWebHost(web => web
                .ConfigureServices(_composition.AddServices)
                .Configure(app => _composition.UsePipeline(
                    app, new HostOriginGuard(IPAddress.Loopback, () => 80, [], []), app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>())));
    }
}
