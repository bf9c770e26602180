using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aisbx.Core.Audit;

namespace Aisbx.Mcp.Tests;

/// <summary>The supervisor service's controls, over real HTTP on 127.0.0.1.</summary>
public class SupervisorSpecs
{
    private static readonly string[] RunOnly = ["run"];
    private static readonly string[] ReadOnly = ["read"];
    private static readonly string[] Everything = ["*"];

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<double> Metric(HttpClient client, string name)
    {
        var text = await client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        return text.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal) && !l.StartsWith('#'))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Missing_wrong_revoked_and_expired_keys_get_401_and_the_counter_rises()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything, ["old"] = null });
        await using var _ = server;
        var (expiring, _) = server.Keys.Create("brief", TimeSpan.FromMilliseconds(1), null);
        server.Keys.Revoke("old");
        await Task.Delay(20, TestContext.Current.CancellationToken);
        using var ops = server.Client(keys["ops"]);

        var statuses = new List<HttpResponseMessage>();
        foreach (var key in new[] { null, "aisbx_wrong", keys["old"], expiring })
        {
            using var client = server.Client(key);
            statuses.Add(await client.GetAsync("/v1/profiles", TestContext.Current.CancellationToken));
        }

        using var header = server.Client();
        header.DefaultRequestHeaders.Add("X-API-Key", keys["ops"]);
        var viaHeader = await header.GetAsync("/v1/profiles", TestContext.Current.CancellationToken);

        Assert.All(statuses, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.All(statuses, r => Assert.Equal("Bearer", r.Headers.WwwAuthenticate.Single().Scheme));
        Assert.Equal(HttpStatusCode.OK, viaHeader.StatusCode);
        Assert.Equal(4, await Metric(ops, "aisbx_auth_failures_total"));
        var health = server.Client();
        Assert.Equal(HttpStatusCode.OK, (await health.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task The_101st_request_in_a_minute_gets_429_with_retry_after_and_the_counter_rises()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["busy"] = Everything, ["ops"] = Everything });
        await using var _ = server;
        using var busy = server.Client(keys["busy"]);

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await busy.GetAsync("/v1/nothing-here", TestContext.Current.CancellationToken)).StatusCode);
        }

        var over = await busy.GetAsync("/v1/profiles", TestContext.Current.CancellationToken);
        using var ops = server.Client(keys["ops"]);

        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.True(over.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(1, await Metric(ops, "aisbx_rate_limit_hits_total"));
    }

    [Fact]
    public async Task A_key_without_the_run_scope_cannot_run_by_rest_or_mcp()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["reader"] = ReadOnly, ["runner"] = RunOnly });
        await using var _ = server;
        using var reader = server.Client(keys["reader"]);
        using var runner = server.Client(keys["runner"]);

        var refused = await reader.PostAsync("/v1/runs", Json("""{"command":["echo","hi"]}"""), TestContext.Current.CancellationToken);
        var ran = await runner.PostAsync("/v1/runs", Json("""{"command":["echo","hi"]}"""), TestContext.Current.CancellationToken);
        using var mcp = new McpHttp(new Uri(server.BaseUrl, "/mcp"), keys["reader"]);
        await mcp.InitializeAsync();
        var (_, toolReply) = await mcp.PostAsync("""{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"aisbx-run","arguments":{"command":["echo","hi"]}}}""");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("scope", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, ran.StatusCode);
        Assert.Equal("hi\n", (await ran.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("stdout").GetString());
        Assert.True(toolReply!.Value.GetProperty("result").GetProperty("isError").GetBoolean());
        Assert.Contains("refused (scope)", toolReply.Value.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_auth_failures_lock_the_address_out_then_the_lockout_expires()
    {
        var (server, keys) = await InProcessServer.StartAsync("[server]\nauth_failures_before_lockout = 3\nauth_lockout_for = \"2s\"\n", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var wrong = server.Client("aisbx_guess");
        using var ops = server.Client(keys["ops"]);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/v1/profiles", TestContext.Current.CancellationToken)).StatusCode);
        }

        var locked = await ops.GetAsync("/v1/profiles", TestContext.Current.CancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(2.5), TestContext.Current.CancellationToken);
        var after = await ops.GetAsync("/v1/profiles", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(1, await Metric(ops, "aisbx_suspensions_total"));
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);
        using var anonymous = server.Client();

        foreach (var response in new[]
        {
            await ops.GetAsync("/v1/profiles", TestContext.Current.CancellationToken),
            await anonymous.GetAsync("/v1/profiles", TestContext.Current.CancellationToken),
            await anonymous.GetAsync("/healthz", TestContext.Current.CancellationToken),
            await ops.GetAsync("/nowhere", TestContext.Current.CancellationToken),
        })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.StartsWith("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.True(response.Headers.CacheControl?.NoStore);
        }
    }

    [Fact]
    public async Task An_oversized_body_gets_413_and_no_sandbox_starts()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/runs") { Content = Json($$"""{"command":["echo","{{new string('a', 5 << 20)}}"]}""") };
        request.Headers.ExpectContinue = true;

        var response = await ops.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, await Metric(ops, "aisbx_runs_total"));
    }

    [Fact]
    public async Task After_a_scripted_sequence_the_metrics_show_the_right_values_and_the_audit_log_verifies()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);

        await ops.PostAsync("/v1/runs", Json("""{"command":["true"]}"""), TestContext.Current.CancellationToken);
        await ops.PostAsync("/v1/runs", Json("""{"command":["sh","-c","exit 3"]}"""), TestContext.Current.CancellationToken);
        await ops.PostAsync("/v1/runs", Json("""{"command":["sleep","5"],"timeout":"200ms"}"""), TestContext.Current.CancellationToken);
        await ops.PostAsync("/v1/runs", Json("""{"code":"import ctypes\nctypes.CDLL(None).syscall(101,0,0,0,0)","language":"python"}"""), TestContext.Current.CancellationToken);
        await ops.PostAsync("/v1/runs", Json("""{"command":["sh","-c","yes | head -c 2000000"]}"""), TestContext.Current.CancellationToken);
        using var anonymous = server.Client();
        await anonymous.GetAsync("/v1/profiles", TestContext.Current.CancellationToken);

        var text = await ops.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Contains("aisbx_runs_total{profile=\"default\",outcome=\"ok\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("aisbx_runs_total{profile=\"default\",outcome=\"failed\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("aisbx_runs_total{profile=\"default\",outcome=\"timeout\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("aisbx_runs_total{profile=\"python-dev\",outcome=\"ok\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("aisbx_run_duration_seconds_count 5", text, StringComparison.Ordinal);
        Assert.Contains("aisbx_security_violations_total{kind=\"seccomp\",severity=\"high\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("aisbx_limit_hits_total{kind=\"wall-time\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("aisbx_limit_hits_total{kind=\"output\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("aisbx_auth_failures_total 1", text, StringComparison.Ordinal);
        Assert.Contains("aisbx_sandboxes_running 0", text, StringComparison.Ordinal);

        await Task.Delay(300, TestContext.Current.CancellationToken); // the audit writer batches
        var log = new AuditLog(server.Config.AuditDirectory);
        var verdict = AuditVerifier.Verify(log);
        Assert.True(verdict.Intact, verdict.Message);
        var lines = File.ReadAllLines(log.Files()[0]);
        Assert.Contains(lines, l => l.Contains("\"kind\":\"auth-failure\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"kind\":\"violation\"", StringComparison.Ordinal) && l.Contains("ptrace", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(keys["ops"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_key_whose_sandboxes_keep_raising_high_severity_violations_is_suspended()
    {
        var (server, keys) = await InProcessServer.StartAsync("[security]\nlockout_after = 2\n", new Dictionary<string, string[]?> { ["agent"] = Everything, ["ops"] = Everything });
        await using var _ = server;
        using var agent = server.Client(keys["agent"]);
        using var ops = server.Client(keys["ops"]);
        const string attack = """{"code":"import ctypes\nctypes.CDLL(None).syscall(101,0,0,0,0)","language":"python"}""";

        await agent.PostAsync("/v1/runs", Json(attack), TestContext.Current.CancellationToken);
        await agent.PostAsync("/v1/runs", Json(attack), TestContext.Current.CancellationToken);
        var suspended = await agent.PostAsync("/v1/runs", Json("""{"command":["true"]}"""), TestContext.Current.CancellationToken);
        var others = await ops.PostAsync("/v1/runs", Json("""{"command":["true"]}"""), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, suspended.StatusCode);
        Assert.Contains("\"rule\":\"lockout\"", await suspended.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, others.StatusCode);
        Assert.Equal(1, await Metric(ops, "aisbx_suspensions_total"));
    }

    [Fact]
    public async Task With_a_certificate_the_server_speaks_tls_and_sends_hsts()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        var pemDirectory = Directory.CreateTempSubdirectory("aisbx-tls-").FullName;
        var certPath = Path.Combine(pemDirectory, "cert.pem");
        var keyPath = Path.Combine(pemDirectory, "key.pem");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem(), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem(), TestContext.Current.CancellationToken);
        var (server, keys) = await InProcessServer.StartAsync($"[server]\ntls_certificate = \"{certPath}\"\ntls_key = \"{keyPath}\"\n", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.Thumbprint == certificate.Thumbprint };
        using var client = new HttpClient(handler) { BaseAddress = server.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", keys["ops"]);

        var response = await client.GetAsync("/v1/profiles", TestContext.Current.CancellationToken);

        Assert.Equal("https", server.BaseUrl.Scheme);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        Directory.Delete(pemDirectory, recursive: true);
    }

    [Fact]
    public async Task The_rest_api_answers_runs_profiles_builds_and_health_and_refuses_bad_json_with_400()
    {
        var onHost = new Dictionary<string, string> { ["profiles/on-host.toml"] = "extends = \"minimal\"\ndescription = \"the host's /usr\"\nrootfs = \"host\"\n" };
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything }, onHost);
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);

        var run = await ops.PostAsync("/v1/runs", Json("""{"code":"print(6*7)","language":"python"}"""), TestContext.Current.CancellationToken);
        var profiles = await ops.GetFromJsonAsync<JsonElement>("/v1/profiles", TestContext.Current.CancellationToken);
        var build = await ops.PostAsync("/v1/builds", Json("""{"profile":"on-host"}"""), TestContext.Current.CancellationToken);
        var health = await server.Client().GetFromJsonAsync<JsonElement>("/healthz", TestContext.Current.CancellationToken);
        var broken = await ops.PostAsync("/v1/runs", Json("""{"command":["echo" """), TestContext.Current.CancellationToken);
        var refused = await ops.PostAsync("/v1/runs", Json("""{"command":["true"],"workdir":"/etc"}"""), TestContext.Current.CancellationToken);

        Assert.Equal("42\n", (await run.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("stdout").GetString());
        Assert.Contains(profiles.GetProperty("profiles").EnumerateArray(), p => p.GetProperty("name").GetString() == "python-dev");
        Assert.Equal(HttpStatusCode.Accepted, build.StatusCode);
        Assert.StartsWith("bld-", (await build.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("workdir-system", (await refused.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("rule").GetString());
    }

    [Fact]
    public async Task A_run_gets_the_secrets_its_key_may_use_redacted_and_no_others()
    {
        var directory = Directory.CreateTempSubdirectory("aisbx-secret-key-").FullName;
        var keyFile = Path.Combine(directory, "master");
        await File.WriteAllTextAsync(keyFile, "operator passphrase\n", TestContext.Current.CancellationToken);
        var (server, keys) = await InProcessServer.StartAsync($"[secrets]\nkey_file = \"{keyFile}\"\n",
            new Dictionary<string, string[]?> { ["deployer"] = ["run", "secret:DEPLOY_TOKEN"], ["other"] = RunOnly });
        await using var _ = server;
        Core.Secrets.SecretStore.Open(server.Config.SecretsFile, "operator passphrase").Set("DEPLOY_TOKEN", "dt-271828182845");
        using var deployer = server.Client(keys["deployer"]);
        using var other = server.Client(keys["other"]);
        const string body = """{"command":["sh","-c","echo token=$DEPLOY_TOKEN"],"secrets":["DEPLOY_TOKEN"]}""";

        var allowed = await deployer.PostAsync("/v1/runs", Json(body), TestContext.Current.CancellationToken);
        var denied = await other.PostAsync("/v1/runs", Json(body), TestContext.Current.CancellationToken);

        Assert.Equal("token=[redacted:DEPLOY_TOKEN]\n", (await allowed.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("stdout").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        await Task.Delay(300, TestContext.Current.CancellationToken);
        var audit = string.Join('\n', new AuditLog(server.Config.AuditDirectory).Files().SelectMany(File.ReadLines));
        Assert.Contains("\"kind\":\"secret-used\"", audit, StringComparison.Ordinal);
        Assert.DoesNotContain("dt-271828182845", audit, StringComparison.Ordinal);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task A_foreign_host_or_origin_is_refused_before_anything_else()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);
        using var rebound = new HttpRequestMessage(HttpMethod.Get, "/v1/profiles");
        rebound.Headers.Host = "evil.example.com";
        using var crossSite = new HttpRequestMessage(HttpMethod.Get, "/v1/profiles");
        crossSite.Headers.Add("Origin", "http://evil.example.com");

        Assert.Equal(HttpStatusCode.Forbidden, (await ops.SendAsync(rebound, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ops.SendAsync(crossSite, TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task A_program_of_a_mebibyte_runs_over_rest()
    {
        var (server, keys) = await InProcessServer.StartAsync("", new Dictionary<string, string[]?> { ["ops"] = Everything });
        await using var _ = server;
        using var ops = server.Client(keys["ops"]);
        var program = "x = 0\n" + string.Concat(Enumerable.Repeat("x += 1\n", 150_000)) + "print(x)\n";
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["code"] = program, ["language"] = "python" });

        var run = await ops.PostAsync("/v1/runs", Json(body), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Equal("150000\n", (await run.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("stdout").GetString());
    }
}
