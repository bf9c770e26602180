using Aisbx.Core.Audit;
using Aisbx.Core.Configuration;
using Aisbx.Core.Security;
using Aisbx.Mcp;
using Aisbx.Service;
using Aisbx.Service.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aisbx.Server;

/// <summary>
/// The supervisor service, whatever hosts it (Kestrel in aisbx-mcp, the TestServer of WebApplicationFactory): MCP
/// over Streamable HTTP at <c>/mcp</c> (stateful sessions) and the REST API, behind the same controls, in this
/// order: request log, security headers, Host/Origin check, API keys (with the address lockout), rate limit per key,
/// request shape; then the endpoints, whose runs pass the concurrency caps.
/// </summary>
internal sealed class ServerComposition(AisbxConfig config) : IDisposable
{
    private readonly ServerSettings _settings = config.Server;
    private readonly AuditSink _audit = new(new AuditLog(config.AuditDirectory));
    private readonly RunGate _gate = new(config.Server);
    private RequestRateLimit? _rateLimit;

    private RequestRateLimit RateLimit => _rateLimit ??= new RequestRateLimit(_settings, Events);

    public ServerMetrics Metrics { get; } = new(new Core.Profiles.ProfileCatalog(config.ProfilesDirectory).Names());

    private ISecurityEventSink? _events;

    public ISecurityEventSink Events => _events ??= new CompositeSink(new JsonLinesEventLog(Console.Error), _audit, Metrics);

    private ServiceContext? _context;

    public ServiceContext Context => _context ??= Watched(new ServiceContext(config, Events) { Gate = _gate, Observer = Metrics });

    private ServiceContext Watched(ServiceContext context)
    {
        Metrics.Watch(context.Pool);
        return context;
    }

    public void AddServices(IServiceCollection services)
    {
        services.AddRoutingCore();
        services.AddAisbxMcp(Context).WithHttpTransport(options => options.SessionMode = ModelContextProtocol.AspNetCore.HttpServerSessionMode.Stateful);
    }

    public void UsePipeline(IApplicationBuilder app, HostOriginGuard guard, IHostApplicationLifetime lifetime)
    {
        var addressLockout = new CallerLockout(
            new LockoutPolicy { Threshold = _settings.AuthFailuresBeforeLockout, Window = _settings.AuthFailureWindow, Duration = _settings.AuthLockout, MinimumSeverity = Severity.Medium },
            new MemoryLockoutStore(), TimeProvider.System);
        var authentication = new ApiKeyAuthentication(new ApiKeys(config.KeysFile, TimeProvider.System), addressLockout, Events, _settings.MetricsPublic);
        app.Use(RequestLog.InvokeAsync);
        app.Use(SecurityHeaders.InvokeAsync);
        app.Use(guard.InvokeAsync);
        app.Use(authentication.InvokeAsync);
        app.Use(RateLimit.InvokeAsync);
        app.Use(RequestShapeGuard.InvokeAsync);
        app.Use(RestErrorBodies.InvokeAsync);
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapMcp("/mcp");
            RestApi.Map(endpoints, Context, Metrics);
        });
        lifetime.ApplicationStopping.Register(() => Context.StopAllAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult());
        lifetime.ApplicationStopped.Register(Dispose);
    }

    /// <summary>Writes out the audit log's last batch, and lets go of the caps and the run tracker.</summary>
    public void Dispose()
    {
        _audit.Dispose();
        _gate.Dispose();
        _rateLimit?.Dispose();
        _context?.Dispose();
    }
}
