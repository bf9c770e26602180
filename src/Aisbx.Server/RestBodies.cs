using System.Text.Json;
using Aisbx.Service;
using Microsoft.AspNetCore.Http;

namespace Aisbx.Server;

/// <summary>Request bodies of the REST API: a JSON object (or a 400 that says what is wrong), or raw bytes.</summary>
internal static class RestBodies
{
    /// <summary>The body as a JSON object, or a 400 that says what is wrong with it.</summary>
    public static async Task<Dictionary<string, JsonElement>?> ReadObject(HttpContext http)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (!fields.TryAdd(property.Name, property.Value.Clone()))
                    {
                        await RestApi.Error(http, 400, $"the body has the field '{JsonFields.Printable(property.Name)}' twice: send each field once", "json");
                        return null;
                    }
                }

                return fields;
            }
        }
        catch (JsonException)
        {
        }

        await RestApi.Error(http, 400, "the body is not a JSON object: send e.g. {\"command\": [\"echo\", \"hi\"]}", "json");
        return null;
    }

    /// <summary>The raw body (a file's content, a process's stdin), within Kestrel's limit on request bodies.</summary>
    public static async Task<byte[]> ReadBytes(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        return buffer.ToArray();
    }

}
