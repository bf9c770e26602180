using System.Collections.ObjectModel;
using System.Text.Json;
using Aisbx.Service;
using Aisbx.Service.Sandboxes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Aisbx.Mcp.Sandboxes;

/// <summary>
/// A tool on a live sandbox: reads its arguments, calls one operation of <see cref="SandboxService"/>, and writes
/// the answer as text and <c>structuredContent</c>. The handle is an argument, never kept in the MCP session, so a
/// call works alike over stdio, stateful and stateless HTTP. An argument this layer refuses is put on the record
/// as the service records its own refusals.
/// </summary>
public abstract class SandboxTool(
    ServiceContext context, string name, string operation, string title, string description, string inputSchema, string outputSchema, ToolHints hints, string exampleArguments)
    : AisbxTool(name, title, description, inputSchema, outputSchema, hints, exampleArguments)
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoArguments = ReadOnlyDictionary<string, JsonElement>.Empty;

    protected ServiceContext Context => context;

    protected SandboxService Sandboxes => context.Sandboxes;

    /// <summary>The tool's words for refusals: its arguments, and its own name as what takes them.</summary>
    protected JsonVocabulary Words { get; } = JsonVocabulary.Tool.For(name);

    protected sealed override async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken)
    {
        var caller = CallerIdentity.From(request.User, Callers.Of(request.Server));
        var arguments = request.Params?.Arguments?.AsReadOnly() ?? NoArguments;
        try
        {
            return await CallAsync(caller, arguments, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolArgumentException ex)
        {
            context.RecordCall(caller, $"sandbox {operation} refused: {ex.Rule}", "refused", "-");
            return Refused($"refused ({ex.Rule}): {ex.Message}");
        }
    }

    /// <exception cref="ToolArgumentException">An argument is missing, unknown or of the wrong type.</exception>
    protected abstract Task<CallToolResult> CallAsync(CallerIdentity caller, IReadOnlyDictionary<string, JsonElement> arguments, CancellationToken cancellationToken);

    /// <summary>The answer: the text, and the document as <c>structuredContent</c>.</summary>
    protected static CallToolResult Answer(string text, JsonElement structured) => new()
    {
        Content = [new TextContentBlock { Text = text }],
        StructuredContent = structured,
        IsError = false,
    };

    /// <summary>The answer of a successful outcome, or its refusal as a tool error.</summary>
    protected static CallToolResult Answer<T>(ServiceOutcome<T> outcome, Func<T, CallToolResult> answer)
        where T : class => outcome.Succeeded ? answer(outcome.Value) : Refused(outcome.Refusal);
}
