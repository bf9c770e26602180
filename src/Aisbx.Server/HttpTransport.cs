using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading.RateLimiting;
using Aisbx.Core.Audit;
using Aisbx.Core.Configuration;
using Aisbx.Core.Security;
using Aisbx.Mcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aisbx.Server;

/// <summary>
/// The supervisor service: MCP over Streamable HTTP at <c>/mcp</c> (stateful sessions) and the REST API, behind
/// the same controls, in this order: request log, security headers, Host/Origin check, API keys (with the address
/// lockout), rate limit per key, request shape; then the endpoints, whose runs pass the concurrency caps.
/// </summary>
internal static class HttpTransport
{
    /// <summary>Bodies above this are refused with 413 before anything is parsed (tool arguments are capped far lower).</summary>
    public const long MaxRequestBodyBytes = 4L << 20;

    public static async Task<int> RunAsync(AisbxConfig config, IPAddress address, int port, IReadOnlyList<string> extraHosts, IReadOnlyList<string> extraOrigins)
    {
        await using var app = Build(config, address, port, extraHosts, extraOrigins);
        await app.StartAsync().ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var keys = new ApiKeys(config.KeysFile, TimeProvider.System).Any();
        Console.Error.WriteLine($"aisbx-mcp: serving MCP at {bound}/mcp and the REST API at {bound}/v1 " +
            (keys ? "(API keys required)" : "(loopback only, OPEN: no API keys exist; create one with 'aisbx keys create --name NAME')"));
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    public static WebApplication Build(AisbxConfig config, IPAddress address, int port, IReadOnlyList<string> extraHosts, IReadOnlyList<string> extraOrigins)
    {
        var settings = config.Server;
        var keys = new ApiKeys(config.KeysFile, TimeProvider.System);
        var audit = new AuditSink(new AuditLog(config.AuditDirectory));
        var metrics = new ServerMetrics();
        var events = new CompositeSink(new JsonLinesEventLog(Console.Error), audit, metrics);
        var gate = new RunGate(settings);
        var context = new AisbxMcpContext(config, events) { Gate = gate, Observer = metrics };
        var addressLockout = new CallerLockout(
            new LockoutPolicy { Threshold = settings.AuthFailuresBeforeLockout, Window = settings.AuthFailureWindow, Duration = settings.AuthLockout, MinimumSeverity = Severity.Medium },
            new MemoryLockoutStore(), TimeProvider.System);

        // The content root is the install directory, never the current one: nothing found where the server happens
        // to be started (an appsettings.json with AllowedHosts, say) may change what it accepts.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, ApplicationName = "aisbx-mcp" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, port, listen =>
            {
                if (settings.TlsCertificate is { } certificate)
                {
                    listen.UseHttps(X509Certificate2.CreateFromPemFile(certificate, settings.TlsKey));
                }
            });
        });
        builder.Services.AddRoutingCore();
        builder.Logging.AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("ModelContextProtocol", LogLevel.Error); // a client's unknown method is its error, not the server's
        builder.Services.AddAisbxMcp(context).WithHttpTransport(options => options.SessionMode = ModelContextProtocol.AspNetCore.HttpServerSessionMode.Stateful);
        builder.Services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.Request.Path == "/healthz"
                    ? RateLimitPartition.GetNoLimiter("healthz")
                    : RateLimitPartition.GetFixedWindowLimiter(Partition(http), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = settings.RequestsPerMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    }));
            options.OnRejected = (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                events.Publish(new SecurityEvent(SecurityEventKind.RateLimited, $"over {settings.RequestsPerMinute} requests a minute on {rejected.HttpContext.Request.Path}",
                    Severity.Low, "refused", null, "-", Partition(rejected.HttpContext), DateTimeOffset.UtcNow));
                return new ValueTask(RequestShapeGuard.Reply(rejected.HttpContext, StatusCodes.Status429TooManyRequests, -32000,
                    $"over {settings.RequestsPerMinute} requests a minute: retry after the time in Retry-After"));
            };
        });

        var app = builder.Build();
        var guard = new HostOriginGuard(address, () => ActualPort(app, port), extraHosts, extraOrigins);
        var authentication = new ApiKeyAuthentication(keys, addressLockout, events, settings.MetricsPublic);
        app.Use(RequestLog.InvokeAsync);
        app.Use(SecurityHeaders.InvokeAsync);
        app.Use(guard.InvokeAsync);
        app.Use(authentication.InvokeAsync);
        app.UseRateLimiter();
        app.Use(RequestShapeGuard.InvokeAsync);
        app.UseRouting();
        app.MapMcp("/mcp");
        RestApi.Map(app, context, metrics);
        app.Lifetime.ApplicationStopping.Register(() => context.Runs.StopAllAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult());
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            audit.Dispose();
            gate.Dispose();
            context.Dispose();
        });
        return app;
    }

    /// <summary>Rate limits are per key; without keys (an open loopback server), per address.</summary>
    private static string Partition(HttpContext http) =>
        http.Items[ApiKeyAuthentication.KeyItem] is ApiKeyRecord key ? "key:" + key.Name : "ip:" + http.Connection.RemoteIpAddress;

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
