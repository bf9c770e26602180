using System.Collections.Concurrent;
using System.Text.Json;

namespace Aisbx.Mcp.Tests;

/// <summary>The published server, and what the contract client reported over each transport, fetched once.</summary>
public sealed class ContractReports : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Lazy<Task<JsonElement>>> _reports = new();

    public McpServerProcess Server { get; } = new();

    public Task<JsonElement> ReportAsync(string transport) => _reports.GetOrAdd(transport, t => new Lazy<Task<JsonElement>>(() => FetchAsync(t))).Value;

    public ValueTask InitializeAsync() => Server.InitializeAsync();

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private async Task<JsonElement> FetchAsync(string transport)
    {
        var workdir = Directory.CreateTempSubdirectory("aisbx-contract-").FullName;
        try
        {
            string[] target = transport == "stdio" ? [McpServerProcess.Binary, "--config", Server.ConfigDirectory] : [Server.Url.ToString()];
            var (exitCode, stdout, stderr) = await NodeScript.RunAsync("node", ["contract.mjs", transport, workdir, .. target], TimeSpan.FromMinutes(2));
            Assert.True(exitCode == 0, $"the client failed: {stderr}");
            return JsonDocument.Parse(stdout).RootElement.Clone();
        }
        finally
        {
            Directory.Delete(workdir, recursive: true);
        }
    }
}

/// <summary>
/// What a real client (the official MCP TypeScript SDK, tests/mcp-clients/contract.mjs) is told about the tools and
/// gets from them, over stdio and Streamable HTTP: honest annotations, programs larger than an argument can carry,
/// a text content that does not repeat a large output, and refusals in the tool's own words.
/// </summary>
public class ToolContractSpecs(ContractReports reports) : IClassFixture<ContractReports>
{
    public static TheoryData<string> Transports => ["stdio", "http"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Every_tool_s_annotations_say_what_calling_it_can_do(string transport)
    {
        var report = await reports.ReportAsync(transport);

        var annotations = report.GetProperty("annotations");
        Assert.Equal((false, true, false, true), Hints(annotations.GetProperty("aisbx-run")));
        Assert.Equal((false, false, true, true), Hints(annotations.GetProperty("aisbx-build")));
        Assert.Equal((true, false, true, false), Hints(annotations.GetProperty("aisbx-profile-list")));
        Assert.Equal((false, false, false, false), Hints(annotations.GetProperty("aisbx-sandbox-create")));
        Assert.Equal((false, true, false, true), Hints(annotations.GetProperty("aisbx-sandbox-exec")));
        Assert.Equal((false, true, true, false), Hints(annotations.GetProperty("aisbx-file-write")));
        Assert.Equal((true, false, true, false), Hints(annotations.GetProperty("aisbx-file-read")));
        Assert.Equal((true, false, true, false), Hints(annotations.GetProperty("aisbx-file-list")));
        Assert.Equal((true, false, true, false), Hints(annotations.GetProperty("aisbx-sandbox-list")));
        Assert.Equal((false, true, true, false), Hints(annotations.GetProperty("aisbx-sandbox-close")));
        Assert.Equal((true, false, true, false), Hints(annotations.GetProperty("aisbx-process-read")));
        Assert.Equal((false, true, false, true), Hints(annotations.GetProperty("aisbx-process-write")));
        Assert.Equal((false, true, false, false), Hints(annotations.GetProperty("aisbx-process-signal")));
        Assert.Equal(McpTools.All.Count, annotations.EnumerateObject().Count());
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Every_tool_takes_described_arguments_only_and_has_an_output_schema(string transport)
    {
        var report = await reports.ReportAsync(transport);

        var schemas = report.GetProperty("schemas").EnumerateObject().ToList();
        Assert.Equal(McpTools.All.Count, schemas.Count);
        Assert.All(schemas, tool =>
        {
            var input = tool.Value.GetProperty("input");
            Assert.True(input.GetProperty("type").GetString() == "object", tool.Name);
            Assert.True(input.GetProperty("additionalProperties").ValueKind == JsonValueKind.False, $"{tool.Name} takes arguments it does not name");
            Assert.True(input.GetProperty("described").GetBoolean(), $"{tool.Name} has an argument without a description");
            Assert.True(tool.Value.GetProperty("output").GetString() == "object", $"{tool.Name} has no output schema");
        });
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_program_of_a_mebibyte_runs_from_a_file_and_with_a_workdir_is_refused_by_name(string transport)
    {
        var report = await reports.ReportAsync(transport);

        Assert.True(report.GetProperty("programBytes").GetInt32() > 1_000_000);
        var large = report.GetProperty("largeProgram");
        Assert.False(large.GetProperty("isError").GetBoolean(), large.GetProperty("text").GetString());
        Assert.Equal(("150000\n", 0), (large.GetProperty("structured").GetProperty("stdout").GetString(), large.GetProperty("structured").GetProperty("exitCode").GetInt32()));
        var refused = report.GetProperty("largeProgramWithWorkdir");
        Assert.True(refused.GetProperty("isError").GetBoolean());
        Assert.StartsWith("refused (code-size): 'code' takes 1050015 bytes, too many for an argument", refused.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task A_large_output_is_whole_in_the_structured_result_and_only_excerpted_in_the_text(string transport)
    {
        var report = await reports.ReportAsync(transport);

        var output = report.GetProperty("largeOutput");
        var text = output.GetProperty("text").GetString()!;
        Assert.Equal(1_000_000, output.GetProperty("stdoutLength").GetInt32());
        Assert.True(text.Length < 12_000, $"the text carries {text.Length} characters");
        Assert.StartsWith("exit code 0 after ", text, StringComparison.Ordinal);
        Assert.Contains("--- stdout (1000000 characters; the first 2048 and the last 6144 here, all of it in structuredContent.stdout) ---", text, StringComparison.Ordinal);
        Assert.EndsWith("--- stderr ---\ndone\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Refusals_name_the_tool_s_arguments_not_the_command_line_s_options(string transport)
    {
        var report = await reports.ReportAsync(transport);

        var texts = new[] { "timeoutAboveProfile", "hostNetworkOnStrict", "emptyProgram" }.Select(name => report.GetProperty(name).GetProperty("text").GetString()!).ToList();
        Assert.Equal("refused (limit-above-profile): 'timeout' 10h is above what profile 'default' allows (30s): ask for at most 30s, or use a profile that allows more", texts[0]);
        Assert.EndsWith(": drop 'network', or use a profile that allows it", texts[1], StringComparison.Ordinal);
        Assert.Equal("refused (command-missing): no command given: give the program and its arguments as argument 'command', e.g. [\"python3\", \"-c\", \"print(1)\"], or a snippet as 'code' with 'language'", texts[2]);
        Assert.All(texts, text => Assert.DoesNotContain("--", text, StringComparison.Ordinal));
    }

    private static (bool ReadOnly, bool Destructive, bool Idempotent, bool OpenWorld) Hints(JsonElement annotations) => (
        annotations.GetProperty("readOnlyHint").GetBoolean(),
        annotations.GetProperty("destructiveHint").GetBoolean(),
        annotations.GetProperty("idempotentHint").GetBoolean(),
        annotations.GetProperty("openWorldHint").GetBoolean());
}
