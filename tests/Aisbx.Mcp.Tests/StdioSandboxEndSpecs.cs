using System.Runtime.InteropServices;
using System.Text.Json;

namespace Aisbx.Mcp.Tests;

/// <summary>When a stdio server ends (its client closes stdin, or SIGTERM), its live sandboxes end with it, on the record.</summary>
public class StdioSandboxEndSpecs
{
    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    [Theory]
    [InlineData("stdin closed")]
    [InlineData("SIGTERM")]
    public async Task The_end_of_a_stdio_server_closes_its_live_sandboxes_and_records_why(string how)
    {
        var config = Directory.CreateTempSubdirectory("aisbx-mcp-stdio-end-").FullName;
        try
        {
            using var process = McpServerProcess.Start("/usr/bin/env", ["--default-signal=TERM", McpServerProcess.Binary, "--config", config]);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            var input = process.StandardInput;
            await input.WriteLineAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
            await input.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
            await input.WriteLineAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"aisbx-sandbox-create","arguments":{}}}""");
            await input.FlushAsync(TestContext.Current.CancellationToken);
            var handle = (await ReplyAsync(process, 2)).GetProperty("result").GetProperty("structuredContent").GetProperty("sandboxId").GetString()!;

            if (how == "SIGTERM")
            {
                Assert.Equal(0, Kill(process.Id, 15));
            }
            else
            {
                input.Close();
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            wait.CancelAfter(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync(wait.Token);
            var events = (await stderr).Split('\n').Where(l => l.StartsWith("aisbx-event ", StringComparison.Ordinal))
                .Select(l => JsonDocument.Parse(l["aisbx-event ".Length..]).RootElement.Clone()).ToList();

            Assert.Contains(events, e => e.GetProperty("sandboxId").GetString() == handle && e.GetProperty("detail").GetString() == "sandbox ended: server-stopped");
        }
        finally
        {
            Directory.Delete(config, recursive: true);
        }
    }

    private static async Task<JsonElement> ReplyAsync(System.Diagnostics.Process process, int id)
    {
        while (await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            var message = JsonDocument.Parse(line).RootElement.Clone();
            if (message.TryGetProperty("id", out var replyId) && replyId.ValueKind == JsonValueKind.Number && replyId.GetInt32() == id)
            {
                return message;
            }
        }

        throw new InvalidOperationException($"the server closed stdout before it answered request {id}");
    }
}
