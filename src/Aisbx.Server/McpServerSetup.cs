using System.Reflection;
using Aisbx.Core.Configuration;
using Aisbx.Core.Security;
using Aisbx.Mcp;
using Aisbx.Service;
using Aisbx.Service.Events;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Server;

/// <summary>The MCP server's identity, tools and handlers, the same for both transports.</summary>
internal static class McpServerSetup
{
    /// <summary>Over stdio: events to stderr and the audit log.</summary>
    public static (ServiceContext Context, Core.Audit.AuditSink Audit) CreateStdioContext(AisbxConfig config)
    {
        var audit = new Core.Audit.AuditSink(new Core.Audit.AuditLog(config.AuditDirectory));
        return (new ServiceContext(config, new CompositeSink(new JsonLinesEventLog(Console.Error), audit)), audit);
    }

    public static IMcpServerBuilder AddAisbxMcp(this IServiceCollection services, ServiceContext context)
    {
        services.AddSingleton(context);
        return services
            .AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation
                {
                    Name = "aisbx",
                    Title = "aisbx sandbox",
                    Version = typeof(McpServerSetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0",
                };
                options.ServerInstructions =
                    "aisbx runs code in an isolated Linux sandbox. Use aisbx-run to run a command or a code snippet; " +
                    "aisbx-profile-list to see the profiles (python-dev, node-dev, ...) and their limits; aisbx-build to " +
                    "check that a profile's toolchain is installed. Each run gets a fresh sandbox with no network.";
            })
            .WithTools([new RunTool(context), new BuildTool(context), new ProfileListTool(context)])
            .WithMessageFilters(filters => filters.AddIncomingFilter(ArgumentsShapeFilter.Filter))
            .WithCompleteHandler((request, _) => ProfileCompletion.Complete(context, request))
            .WithSetLoggingLevelHandler((_, _) => ValueTask.FromResult(new EmptyResult()));
    }
}
