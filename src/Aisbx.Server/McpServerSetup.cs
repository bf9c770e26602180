using System.Reflection;
using Aisbx.Core.Configuration;
using Aisbx.Core.Security;
using Aisbx.Mcp;
using Aisbx.Mcp.Sandboxes;
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
                    "aisbx runs code in an isolated Linux sandbox (no network by default). For one command, use aisbx-run: " +
                    "each run gets a fresh sandbox. To work in steps (write files, run, read results, run again; start a " +
                    "server and query it), create a live sandbox with aisbx-sandbox-create and pass its sandboxId to " +
                    "aisbx-sandbox-exec, aisbx-file-write, aisbx-file-read and aisbx-file-list; background processes " +
                    "(exec with background: true) are read with aisbx-process-read, fed with aisbx-process-write and " +
                    "stopped with aisbx-process-signal. Close a live sandbox with aisbx-sandbox-close when done: each " +
                    "caller may keep only a few, and idle ones close by themselves. aisbx-profile-list shows the profiles " +
                    "(python-dev, node-dev, ...) and their limits; aisbx-build builds a profile's environment (its root filesystem) before its first run, with progress notifications.";
            })
            .WithTools([
                new RunTool(context), new BuildTool(context), new ProfileListTool(context),
                new SandboxCreateTool(context), new SandboxExecTool(context), new FileWriteTool(context), new FileReadTool(context),
                new FileListTool(context), new SandboxListTool(context), new SandboxCloseTool(context),
                new ProcessReadTool(context), new ProcessWriteTool(context), new ProcessSignalTool(context),
            ])
            .WithMessageFilters(filters => filters.AddIncomingFilter(ArgumentsShapeFilter.Filter))
            .WithCompleteHandler((request, _) => ProfileCompletion.Complete(context, request))
            .WithSetLoggingLevelHandler((_, _) => ValueTask.FromResult(new EmptyResult()));
    }
}
