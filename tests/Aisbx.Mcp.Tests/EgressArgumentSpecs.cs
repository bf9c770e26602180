using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// <c>network</c> and <c>allowHosts</c> over MCP (the TypeScript SDK) and REST, against a server whose config
/// grants the key <c>ops</c> one host: every refusal comes before a sandbox starts, in one line naming the rule.
/// </summary>
public class EgressArgumentSpecs
{
    private const string GrantConfig = "[egress]\ngrants = { \"ops\" = [\"granted.example\"] }\n";

    private static readonly string[] Everything = ["*"];

    [Fact]
    public async Task A_real_client_sees_the_allowlist_in_the_schemas_and_gets_refused_host_lists_as_tool_errors()
    {
        // Arrange
        var (server, keys) = await InProcessServer.StartAsync(GrantConfig, new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;

        // Act
        var (exitCode, stdout, stderr) = await NodeScript.RunAsync("node", ["egress.mjs", new Uri(server.BaseUrl, "/mcp").ToString(), keys["ops"]], TimeSpan.FromMinutes(2));

        // Assert
        Assert.True(exitCode == 0, $"the client failed: {stderr}");
        using var document = JsonDocument.Parse(stdout);
        var report = document.RootElement;
        foreach (var tool in new[] { "aisbx-run", "aisbx-sandbox-create" })
        {
            var schema = report.GetProperty("schemas").GetProperty(tool);
            Assert.Equal(["none", "host", "allowlist"], schema.GetProperty("network").EnumerateArray().Select(m => m.GetString()));
            Assert.Equal("array", schema.GetProperty("allowHosts").GetString());
        }

        AssertRefused(report, "notGranted",
            "refused (allow-host-not-granted): 'allowHosts' entry 'registry.npmjs.org' is not covered by the allow list of profile 'python-dev' (allowed: pypi.org, files.pythonhosted.org, granted.example); a run may only narrow it");
        AssertRefused(report, "tooBroad", "refused (allow-too-broad): 'allowHosts': host entry '*' allows every host");
        AssertRefused(report, "invalid", "refused (allow-host-invalid): 'allowHosts': host entry 'pypi.org:70000' has port '70000': give a port from 1 to 65535");
        AssertRefused(report, "withoutAllowlist", "refused (allow-hosts-without-allowlist): 'allowHosts' is only for network 'allowlist', not 'none': drop 'network', or set it to allowlist");
        AssertRefused(report, "notStrings", "refused (arguments): 'allowHosts' must be an array of strings");
        AssertRefused(report, "badMode", "refused (arguments): network 'lan' is not a mode: use \"none\", \"host\" or \"allowlist\"");
        AssertRefused(report, "granted", "refused (limit-above-profile): 'timeout' 10h");
        AssertRefused(report, "sandboxNotGranted", "refused (allow-host-not-granted): 'allowHosts' entry 'evil.example' is not covered by the allow list of profile 'python-dev'");

        var python = report.GetProperty("profiles").GetProperty("profiles").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "python-dev");
        Assert.Equal(["pypi.org", "files.pythonhosted.org"], python.GetProperty("egress").GetProperty("allow").EnumerateArray().Select(h => h.GetString()));
        Assert.Contains("allowlist", python.GetProperty("allowedNetworks").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public async Task Rest_refuses_an_ungranted_host_with_400_and_honours_the_key_s_grant()
    {
        // Arrange
        var (server, keys) = await InProcessServer.StartAsync(GrantConfig, new Dictionary<string, string[]?> { ["ops"] = Everything, ["other"] = Everything });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);
        using var other = server.Client(keys["other"]);
        const string Granted = """{"command":["true"],"allowHosts":["granted.example"],"timeout":"10h"}""";

        // Act
        var withGrant = await PostAsync(ops, "/v1/runs", Granted);
        var withoutGrant = await PostAsync(other, "/v1/runs", Granted);
        var tooBroad = await PostAsync(ops, "/v1/runs", """{"command":["true"],"allowHosts":["*.github.io"]}""");
        var sandbox = await PostAsync(other, "/v1/sandboxes", """{"allowHosts":["granted.example"]}""");
        var profiles = await ops.GetStringAsync("/v1/profiles", TestContext.Current.CancellationToken);

        // Assert
        AssertRest(withGrant, 400, "limit-above-profile");
        AssertRest(withoutGrant, 400, "allow-host-not-granted");
        Assert.Equal(
            "refused (allow-host-not-granted): 'allowHosts' entry 'granted.example' is not covered by the allow list of profile 'default' (allowed: none); " +
            "a run may only narrow it: ask for hosts it lists, or use a profile (or a key grant) that allows the host",
            withoutGrant.Body.GetProperty("error").GetString());
        AssertRest(tooBroad, 400, "allow-too-broad");
        AssertRest(sandbox, 400, "allow-host-not-granted");
        using var listing = JsonDocument.Parse(profiles);
        var node = listing.RootElement.GetProperty("profiles").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "node-dev");
        Assert.Equal(["registry.npmjs.org"], node.GetProperty("egress").GetProperty("allow").EnumerateArray().Select(h => h.GetString()));
    }

    private static void AssertRefused(JsonElement report, string name, string prefix)
    {
        var result = report.GetProperty(name);
        var text = result.GetProperty("text").GetString()!;
        Assert.True(result.GetProperty("isError").GetBoolean(), $"{name} was not refused: {text}");
        Assert.StartsWith(prefix, text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text);
    }

    private static async Task<(int Status, JsonElement Body)> PostAsync(HttpClient client, string path, string body)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        using var response = await client.PostAsync(path, content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static void AssertRest((int Status, JsonElement Body) reply, int status, string rule)
    {
        Assert.Equal(status, reply.Status);
        Assert.Equal(rule, reply.Body.GetProperty("rule").GetString());
        Assert.DoesNotContain('\n', reply.Body.GetProperty("error").GetString()!);
    }
}
