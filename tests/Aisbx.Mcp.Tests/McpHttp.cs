using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Aisbx.Mcp.Tests;

/// <summary>A hand-driven Streamable HTTP session, for the inputs a well-behaved SDK would never send.</summary>
public sealed class McpHttp(Uri url, string? key = null) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(2) };

    public string? SessionId { get; private set; }

    public async Task InitializeAsync()
    {
        var (status, _) = await PostAsync("""{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""");
        Assert.Equal(200, status);
        await PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
    }

    /// <returns>The status, and the JSON-RPC message of the reply (from JSON or from the SSE stream), if any.</returns>
    /// <param name="expectContinue">Ask before sending the body, as curl does for large ones: a refusal then comes before the upload.</param>
    public async Task<(int Status, JsonElement? Message)> PostAsync(string body, bool expectContinue = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = expectContinue;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (SessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", SessionId);
        }

        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        if (response.Headers.TryGetValues("Mcp-Session-Id", out var ids))
        {
            SessionId ??= ids.First();
        }

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var json = response.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? text.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l[6..]).LastOrDefault()
            : text;
        return ((int)response.StatusCode, string.IsNullOrWhiteSpace(json) ? null : JsonDocument.Parse(json).RootElement.Clone());
    }

    public void Dispose() => _http.Dispose();
}
