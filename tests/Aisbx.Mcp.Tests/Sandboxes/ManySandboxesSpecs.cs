using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Aisbx.Mcp.Tests.Sandboxes;

/// <summary>Fifty live sandboxes at once on this two-core machine, each answering, and each its own.</summary>
public class ManySandboxesSpecs
{
    private static readonly string[] Everything = ["*"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Fifty_sandboxes_live_at_once_and_each_answers_with_its_own_state()
    {
        // Arrange
        var (server, keys) = await InProcessServer.StartAsync("[sandboxes]\nmax_per_caller = 50\ncreations_per_minute = 100\n[server]\nrequests_per_minute = 100000\n",
            new Dictionary<string, string[]?> { ["agent"] = Everything });
        await using var _ = server;
        using var client = server.Client(keys["agent"]);
        var ids = new string[50];
        await Parallel.ForAsync(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Cancel }, async (i, token) =>
        {
            ids[i] = await SandboxRestSpecs.CreateAsync(client);
            await client.PutAsync($"/v1/sandboxes/{ids[i]}/files/me", new ByteArrayContent(Encoding.UTF8.GetBytes($"sandbox {i}")), token);
        });

        // Act
        var answers = new string?[ids.Length];
        await Parallel.ForAsync(0, ids.Length, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Cancel }, async (i, token) =>
        {
            var exec = await client.PostAsync($"/v1/sandboxes/{ids[i]}/exec",
                new StringContent("""{"command": ["sh", "-c", "cat me; ls /workspace | wc -l"]}""", Encoding.UTF8, "application/json"), token);
            answers[i] = (await exec.Content.ReadFromJsonAsync<JsonElement>(token)).GetProperty("stdout").GetString();
        });
        var listed = await client.GetFromJsonAsync<JsonElement>("/v1/sandboxes", Cancel);
        var closes = await Task.WhenAll(ids.Select(id => client.DeleteAsync($"/v1/sandboxes/{id}", Cancel)));

        // Assert
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal($"sandbox {i}1\n", answers[i]);
        }

        Assert.Equal(50, listed.GetProperty("sandboxes").GetArrayLength());
        Assert.All(closes, c => Assert.Equal(HttpStatusCode.NoContent, c.StatusCode));
    }
}
