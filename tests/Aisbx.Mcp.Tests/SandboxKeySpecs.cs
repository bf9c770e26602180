using System.Security.Cryptography;
using System.Text.Json;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// The sandbox tools over Streamable HTTP with API keys, on the server as aisbx-mcp builds it: a handle belongs to
/// the key that made it and is "not found" for any other in the very words of a handle that never was, the caps
/// are tool errors that name the cap, and a key without the run scope makes no sandbox.
/// </summary>
public class SandboxKeySpecs
{
    private static readonly string[] RunOnly = ["run"];
    private static readonly string[] ReadOnly = ["read"];

    private static async Task<(bool IsError, string Text, JsonElement? Structured)> CallAsync(McpHttp mcp, string tool, string arguments)
    {
        var (status, message) = await mcp.PostAsync($$$"""{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{{{arguments}}}}}""");
        Assert.Equal(200, status);
        Assert.False(message!.Value.TryGetProperty("error", out var error), $"a JSON-RPC error instead of a tool result: {error}");
        var result = message.Value.GetProperty("result");
        return (result.TryGetProperty("isError", out var isError) && isError.GetBoolean(), result.GetProperty("content")[0].GetProperty("text").GetString()!,
            result.TryGetProperty("structuredContent", out var structured) ? structured : null);
    }

    private static async Task<string> CreateAsync(McpHttp mcp)
    {
        var (isError, text, structured) = await CallAsync(mcp, "aisbx-sandbox-create", "{}");
        Assert.False(isError, text);
        return structured!.Value.GetProperty("sandboxId").GetString()!;
    }

    private static async Task<McpHttp> SessionAsync(InProcessServer server, string key)
    {
        var mcp = new McpHttp(new Uri(server.BaseUrl, "/mcp"), key);
        await mcp.InitializeAsync();
        return mcp;
    }

    [Fact]
    public async Task Another_key_s_handle_is_refused_in_the_words_of_a_handle_that_never_existed()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["alice"] = RunOnly, ["bob"] = RunOnly });
        await using var _ = server;
        using var alice = await SessionAsync(server, keys["alice"]);
        using var bob = await SessionAsync(server, keys["bob"]);
        var handle = await CreateAsync(alice);
        var never = "sbx-" + RandomNumberGenerator.GetHexString(32, lowercase: true);
        string[] calls =
        [
            "aisbx-sandbox-exec|{\"sandboxId\":\"ID\",\"command\":[\"true\"]}",
            "aisbx-file-read|{\"sandboxId\":\"ID\",\"path\":\"x\"}",
            "aisbx-file-write|{\"sandboxId\":\"ID\",\"path\":\"x\",\"content\":\"x\"}",
            "aisbx-file-list|{\"sandboxId\":\"ID\"}",
            "aisbx-process-read|{\"sandboxId\":\"ID\",\"processId\":1}",
            "aisbx-sandbox-close|{\"sandboxId\":\"ID\"}",
        ];

        var answers = new List<((bool IsError, string Text) Theirs, (bool IsError, string Text) Never)>();
        foreach (var call in calls.Select(c => c.Split('|')))
        {
            var theirs = await CallAsync(bob, call[0], call[1].Replace("ID", handle, StringComparison.Ordinal));
            var unknown = await CallAsync(bob, call[0], call[1].Replace("ID", never, StringComparison.Ordinal));
            answers.Add(((theirs.IsError, theirs.Text), (unknown.IsError, unknown.Text.Replace(never, handle, StringComparison.Ordinal))));
        }

        var stillThere = await CallAsync(alice, "aisbx-sandbox-exec", $$"""{"sandboxId":"{{handle}}","command":["echo","mine"]}""");
        var (_, bobsList, bobsSandboxes) = await CallAsync(bob, "aisbx-sandbox-list", "{}");
        await CallAsync(alice, "aisbx-sandbox-close", $$"""{"sandboxId":"{{handle}}"}""");
        var afterClose = await CallAsync(bob, "aisbx-sandbox-exec", $$"""{"sandboxId":"{{handle}}","command":["true"]}""");
        var aliceAfterClose = await CallAsync(alice, "aisbx-sandbox-exec", $$"""{"sandboxId":"{{handle}}","command":["true"]}""");

        Assert.All(answers, a => Assert.Equal(a.Never, a.Theirs));
        Assert.All(answers, a => Assert.True(a.Theirs.IsError));
        Assert.All(answers, a => Assert.StartsWith("refused (not-found): no such sandbox is here", a.Theirs.Text, StringComparison.Ordinal));
        Assert.Equal("mine\n", stillThere.Structured!.Value.GetProperty("stdout").GetString());
        Assert.Empty(bobsSandboxes!.Value.GetProperty("sandboxes").EnumerateArray());
        Assert.DoesNotContain(handle, bobsList, StringComparison.Ordinal);
        Assert.Equal(answers[0].Theirs, (afterClose.IsError, afterClose.Text));
        Assert.Equal((true, $"refused (sandbox-ended): sandbox {handle} was closed: create a new sandbox"), (aliceAfterClose.IsError, aliceAfterClose.Text));
    }

    [Fact]
    public async Task Over_a_cap_creating_is_a_tool_error_that_names_the_cap()
    {
        var (server, keys) = await InProcessServer.StartAsync("[sandboxes]\nmax_per_caller = 2\nmax_total = 3\n", new Dictionary<string, string[]?> { ["alice"] = RunOnly, ["bob"] = RunOnly });
        await using var _ = server;
        using var alice = await SessionAsync(server, keys["alice"]);
        using var bob = await SessionAsync(server, keys["bob"]);
        var alices = new List<string> { await CreateAsync(alice), await CreateAsync(alice) };

        var overOwn = await CallAsync(alice, "aisbx-sandbox-create", "{}");
        var bobs = await CreateAsync(bob);
        var overTotal = await CallAsync(bob, "aisbx-sandbox-create", "{}");
        var closed = await CallAsync(alice, "aisbx-sandbox-close", $$"""{"sandboxId":"{{alices[0]}}"}""");
        var again = await CallAsync(alice, "aisbx-sandbox-create", "{}");

        Assert.Equal((true, "refused (sandbox-cap): 2 live sandboxes already belong to this caller, the most it may keep (2): close one (aisbx-sandbox-close, DELETE /v1/sandboxes/ID) and retry"), (overOwn.IsError, overOwn.Text));
        Assert.Null(overOwn.Structured);
        Assert.Equal((true, "refused (sandbox-cap-total): this server keeps at most 3 live sandboxes, and has that many: retry later, or ask the operator to raise [sandboxes] max_total"), (overTotal.IsError, overTotal.Text));
        Assert.False(closed.IsError, closed.Text);
        Assert.False(again.IsError, again.Text);
        foreach (var (mcp, handle) in new[] { (alice, alices[1]), (bob, bobs), (alice, again.Structured!.Value.GetProperty("sandboxId").GetString()!) })
        {
            Assert.False((await CallAsync(mcp, "aisbx-sandbox-close", $$"""{"sandboxId":"{{handle}}"}""")).IsError);
        }
    }

    [Fact]
    public async Task A_key_without_the_run_scope_creates_no_sandbox()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["reader"] = ReadOnly });
        await using var _ = server;
        using var reader = await SessionAsync(server, keys["reader"]);

        var created = await CallAsync(reader, "aisbx-sandbox-create", "{}");
        var listed = await CallAsync(reader, "aisbx-sandbox-list", "{}");

        Assert.True(created.IsError);
        Assert.StartsWith("refused (scope): key:reader may not use 'run'", created.Text, StringComparison.Ordinal);
        Assert.True(listed.IsError);
        Assert.StartsWith("refused (scope)", listed.Text, StringComparison.Ordinal);
    }
}
