using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Mcp;

/// <summary>
/// A tool defined by hand (name, description, schemas as JSON), without the SDK's reflection over attributed
/// methods, so that nothing on the call path needs runtime reflection.
/// </summary>
public abstract class AisbxTool : McpServerTool
{
    private readonly Tool _tool;
    private readonly string _exampleArguments;

    /// <param name="exampleArguments">What the tool's arguments look like, for the refusal of arguments that are no object.</param>
    protected AisbxTool(string name, string title, string description, string inputSchema, string outputSchema, ToolHints hints, string exampleArguments)
    {
        _exampleArguments = exampleArguments;
        _tool = new Tool
        {
            Name = name,
            Title = title,
            Description = description,
            InputSchema = Parse(inputSchema),
            OutputSchema = Parse(outputSchema),
            Annotations = new ToolAnnotations
            {
                Title = title,
                ReadOnlyHint = hints.ReadOnly,
                DestructiveHint = hints.Destructive,
                IdempotentHint = hints.Idempotent,
                OpenWorldHint = hints.OpenWorld,
            },
        };
    }

    public override Tool ProtocolTool => _tool;

    public override IReadOnlyList<object> Metadata => [];

    public sealed override ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default) =>
        ArgumentsShapeFilter.Refusal(request, _tool.Name, _exampleArguments) is { } refusal
            ? ValueTask.FromResult(Refused(refusal))
            : CallAsync(request, cancellationToken);

    /// <summary>The call, once its arguments are known to be an object (or absent).</summary>
    protected abstract ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken);

    protected static CallToolResult Refused(string message) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = message }],
    };

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
