using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Mcp;

/// <summary>
/// A <c>tools/call</c> whose <c>arguments</c> is not an object (<c>[1, 2]</c>, <c>"x"</c>) would fail in the SDK's
/// reading of the request, before any tool sees it, as a bare -32603 "An error occurred". Bad input to a tool is
/// the tool's error (isError, as the MCP spec asks of input validation), so this takes such arguments out of the
/// request and leaves a note for the tool, which refuses the call by naming what was wrong.
/// </summary>
public static class ArgumentsShapeFilter
{
    private const string ItemKey = "aisbx.arguments-not-an-object";

    public static McpMessageFilter Filter { get; } = next => (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcRequest { Method: RequestMethods.ToolsCall, Params: JsonObject parameters }
            && parameters["arguments"] is { } arguments
            && arguments.GetValueKind() is not JsonValueKind.Object)
        {
            context.Items[ItemKey] = Describe(arguments.GetValueKind());
            parameters.Remove("arguments");
        }

        return next(context, cancellationToken);
    };

    /// <summary>The refusal of a call whose arguments were not an object, or null when they were.</summary>
    /// <param name="example">The tool's arguments as they should look, e.g. <c>{"profile": "python-dev"}</c>.</param>
    public static string? Refusal(MessageContext request, string tool, string example) =>
        request.Items.TryGetValue(ItemKey, out var kind)
            ? $"refused (arguments): the arguments of {tool} must be an object of named arguments, like {example}, not {kind}"
            : null;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
