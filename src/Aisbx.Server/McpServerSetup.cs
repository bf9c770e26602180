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

    /// <summary>The server in a container, as Streamable HTTP needs it (one server per session).</summary>
    public static IMcpServerBuilder AddAisbxMcp(this IServiceCollection services, ServiceContext context)
    {
        services.AddSingleton(context);
        return services.AddMcpServer(options => Configure(options, context));
    }

    /// <summary>
    /// Everything the server is, set on its options directly rather than through the SDK's builder methods, so that
    /// stdio can create its one server without a container (see <see cref="StdioTransport"/>).
    /// </summary>
    public static void Configure(McpServerOptions options, ServiceContext context)
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
        options.ToolCollection =
        [
            new RunTool(context), new BuildTool(context), new ProfileListTool(context),
            new SandboxCreateTool(context), new SandboxExecTool(context), new FileWriteTool(context), new FileReadTool(context),
            new FileListTool(context), new SandboxListTool(context), new SandboxCloseTool(context),
            new ProcessReadTool(context), new ProcessWriteTool(context), new ProcessSignalTool(context),
        ];
        options.Filters.Message.IncomingFilters.Add(ArgumentsShapeFilter.Filter);
        options.Handlers.CompleteHandler = (request, _) => ProfileCompletion.Complete(context, request);
        options.Handlers.SetLoggingLevelHandler = (_, _) => ValueTask.FromResult(new EmptyResult());
        options.Capabilities ??= new();
        options.Capabilities.Completions ??= new();
        options.Capabilities.Logging ??= new();
    }
}
