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

    protected AisbxTool(string name, string title, string description, string inputSchema, string outputSchema, bool readOnly)
    {
        _tool = new Tool
        {
            Name = name,
            Title = title,
            Description = description,
            InputSchema = Parse(inputSchema),
            OutputSchema = Parse(outputSchema),
            Annotations = new ToolAnnotations { Title = title, ReadOnlyHint = readOnly, DestructiveHint = false, OpenWorldHint = false },
        };
    }

    public override Tool ProtocolTool => _tool;

    public override IReadOnlyList<object> Metadata => [];

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
