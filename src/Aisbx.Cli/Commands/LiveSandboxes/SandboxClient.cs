using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Aisbx.Core.Runs;
using Aisbx.Core.Sandboxes;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>
/// The REST API of live sandboxes (<c>/v1/sandboxes</c>, see the server's <c>SandboxApi</c>), as the CLI calls it.
/// Every failure is a <see cref="SandboxRefusal"/>. No proxy and no redirects: the key goes to the server named, and
/// nowhere else.
/// </summary>
internal sealed class SandboxClient : IDisposable
{
    /// <summary>Calls that answer at once get this long; an exec and a wait take as long as the program runs.</summary>
    private static readonly TimeSpan QuickCall = TimeSpan.FromMinutes(2);

    private readonly ServerEndpoint _endpoint;
    private readonly HttpClient _http;

    public SandboxClient(ServerEndpoint endpoint)
    {
        _endpoint = endpoint;
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        })
        {
            BaseAddress = endpoint.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = 256L << 20,
        };
    }

    public ServerEndpoint Endpoint => _endpoint;

    public async Task<SandboxCreated> CreateAsync(byte[] body, CancellationToken cancellationToken) =>
        Parse(await SendAsync(HttpMethod.Post, "v1/sandboxes", Json(body), QuickCall, cancellationToken), AisbxJsonContext.Default.SandboxCreated);

    public async Task<SandboxList> ListAsync(CancellationToken cancellationToken) =>
        Parse(await SendAsync(HttpMethod.Get, "v1/sandboxes", null, QuickCall, cancellationToken), AisbxJsonContext.Default.SandboxList);

    /// <summary>An exec: the result document, or (for a program started in the background) its process id.</summary>
    public async Task<(RunResult? Result, BackgroundStarted? Started)> ExecAsync(string id, byte[] body, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Post, Sandbox(id) + "/exec", Json(body), null, cancellationToken);
        return answer.Status == 202
            ? (null, Parse(answer, AisbxJsonContext.Default.BackgroundStarted))
            : (Parse(answer, AisbxJsonContext.Default.RunResult), null);
    }

    public async Task<ProcessOutput> ReadProcessAsync(string id, int processId, long offset, long stderrOffset, CancellationToken cancellationToken) =>
        Parse(await SendAsync(HttpMethod.Get, $"{Sandbox(id)}/processes/{processId}?offset={offset}&stderrOffset={stderrOffset}", null, QuickCall, cancellationToken),
            AisbxJsonContext.Default.ProcessOutput);

    /// <param name="mode">Permission bits, e.g. 0755.</param>
    public async Task WriteFileAsync(string id, RemotePath path, byte[] content, int mode, CancellationToken cancellationToken)
    {
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        await SendAsync(HttpMethod.Put, $"{Sandbox(id)}/files/{path.UrlPath}?mode={Convert.ToString(mode, 8).PadLeft(4, '0')}", body, QuickCall, cancellationToken);
    }

    /// <summary>A file's bytes, or the listing of a directory.</summary>
    public async Task<(byte[]? Bytes, FileListing? Listing)> ReadFileAsync(string id, RemotePath path, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Get, $"{Sandbox(id)}/files/{path.UrlPath}", null, QuickCall, cancellationToken);
        return answer.MediaType == "application/json"
            ? (null, Parse(answer, AisbxJsonContext.Default.FileListing))
            : (answer.Body, null);
    }

    public Task CloseAsync(string id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, Sandbox(id), null, QuickCall, cancellationToken);

    public void Dispose() => _http.Dispose();

    private static string Sandbox(string id) => "v1/sandboxes/" + Uri.EscapeDataString(SandboxHandle.Check(id));

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private async Task<Answer> SendAsync(HttpMethod method, string relative, HttpContent? content, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(relative, UriKind.Relative)) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_endpoint.Key is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit)
        {
            deadline.CancelAfter(limit);
        }

        try
        {
            using var response = await _http.SendAsync(request, deadline.Token);
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw ServerErrors.FromResponse(_endpoint, response, body);
            }

            return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw ServerErrors.FromTransport(_endpoint, ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw ServerErrors.Timeout(_endpoint, timeout ?? QuickCall);
        }
    }

    private T Parse<T>(Answer answer, JsonTypeInfo<T> shape)
    {
        try
        {
            return (answer.MediaType == "application/json" ? JsonSerializer.Deserialize(answer.Body, shape) : default)
                ?? throw ServerErrors.NotAnAisbxServer(_endpoint, $"HTTP {answer.Status} with {answer.MediaType ?? "no content type"}");
        }
        catch (JsonException)
        {
            throw ServerErrors.NotAnAisbxServer(_endpoint, $"HTTP {answer.Status} with a document of another shape");
        }
    }

    private sealed record Answer(int Status, string? MediaType, byte[] Body);
}
