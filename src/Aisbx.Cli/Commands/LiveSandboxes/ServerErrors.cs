using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;

namespace Aisbx.Cli.Commands.LiveSandboxes;

/// <summary>Turns what went wrong with a call to the server into one line that names the rule and the fix.</summary>
internal static class ServerErrors
{
    /// <summary>A refusal the server answered: its <c>{error, rule}</c> as it wrote it, or a line saying that this was no aisbx server.</summary>
    public static SandboxRefusal FromResponse(ServerEndpoint endpoint, HttpResponseMessage response, byte[] body)
    {
        var status = (int)response.StatusCode;
        if (!TryRead(body, out var error, out var rule))
        {
            return NotAnAisbxServer(endpoint, $"HTTP {status} {Printable.Line(response.ReasonPhrase ?? "")}".TrimEnd());
        }

        if (status == 401)
        {
            return new SandboxRefusal("auth", endpoint.Key is null
                ? $"the server at {endpoint.Display} needs an API key (rule auth): export {ServerEndpoint.KeyVariable}=KEY, with a key from 'aisbx keys create --name NAME' on the server"
                : $"the server refused the key in {ServerEndpoint.KeyVariable} (rule auth): {Reason(error)}; create a key with 'aisbx keys create --name NAME' on the server and export it as {ServerEndpoint.KeyVariable}")
            { Status = status };
        }

        var line = error.Contains($"({rule})", StringComparison.Ordinal) ? error : $"{error} (rule {rule})";
        if (status == 429 && response.Headers.RetryAfter?.Delta is { } wait)
        {
            line += $"; retry after {wait.TotalSeconds:0} s";
        }

        return new SandboxRefusal(rule, line) { Status = status, RetryAfter = status == 429 ? response.Headers.RetryAfter?.Delta : null };
    }

    /// <summary>What stood between the CLI and the server: nothing listening, an unknown host, TLS, a broken connection.</summary>
    public static SandboxRefusal FromTransport(ServerEndpoint endpoint, Exception exception)
    {
        var socket = Find<SocketException>(exception);
        if (socket?.SocketErrorCode is SocketError.ConnectionRefused)
        {
            return new SandboxRefusal("server-unreachable",
                $"no aisbx server at {endpoint.Display} (rule server-unreachable): start one with 'aisbx-mcp --transport http', or point --server or {ServerEndpoint.ServerVariable} at the one running");
        }

        if (socket?.SocketErrorCode is SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData)
        {
            return new SandboxRefusal("server-unreachable",
                $"the host of {endpoint.Display} is not known (rule server-unreachable): check the name in --server or {ServerEndpoint.ServerVariable}");
        }

        if (Find<AuthenticationException>(exception) is not null)
        {
            return new SandboxRefusal("tls",
                $"TLS with {endpoint.Display} failed (rule tls): the server's certificate is not trusted here, or it speaks plain HTTP; for a certificate of your own, export SSL_CERT_FILE=its PEM file, or use http:// for a plain server");
        }

        if (socket is not null)
        {
            return new SandboxRefusal("server-unreachable",
                $"cannot reach {endpoint.Display} ({Printable.Line(socket.Message)}) (rule server-unreachable): check --server or {ServerEndpoint.ServerVariable}, and that 'aisbx-mcp --transport http' runs there");
        }

        return new SandboxRefusal("server-connection",
            $"the connection to {endpoint.Display} broke before the answer came (rule server-connection): check that the server still runs, then try again");
    }

    public static SandboxRefusal Timeout(ServerEndpoint endpoint, TimeSpan after) =>
        new("server-timeout", $"the server at {endpoint.Display} did not answer within {after.TotalSeconds:0} s (rule server-timeout): check that it is an aisbx server and not stuck, then try again");

    public static SandboxRefusal NotAnAisbxServer(ServerEndpoint endpoint, string what) =>
        new("server-answer", $"{endpoint.Display} answered {what}, not as an aisbx server does (rule server-answer): point --server or {ServerEndpoint.ServerVariable} at 'aisbx-mcp --transport http'");

    /// <summary>The server's reason for a 401 without its advice on headers, which the CLI already follows.</summary>
    private static string Reason(string error)
    {
        var advice = error.IndexOf(": send ", StringComparison.Ordinal);
        return advice > 0 ? error[..advice] : error;
    }

    private static bool TryRead(byte[] body, out string error, out string rule)
    {
        error = rule = "";
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var errorText) && errorText.ValueKind == JsonValueKind.String)
            {
                error = Printable.Line(errorText.GetString()!);
                rule = document.RootElement.TryGetProperty("rule", out var ruleText) && ruleText.ValueKind == JsonValueKind.String
                    ? Printable.Line(ruleText.GetString()!, 100) : "error";
                return true;
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }
        }

        return null;
    }
}
