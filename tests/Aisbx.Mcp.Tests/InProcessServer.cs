using System.Net;
using System.Net.Http.Headers;
using Aisbx.Core.Configuration;
using Aisbx.Core.Security;
using Aisbx.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Aisbx.Mcp.Tests;

/// <summary>
/// The supervisor service built exactly as aisbx-mcp builds it, run in the test process on a free loopback port
/// and spoken to over real HTTP, with a config directory of its own and keys made through the key store.
/// </summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private InProcessServer(string configDirectory, WebApplication app, Uri baseUrl)
    {
        ConfigDirectory = configDirectory;
        _app = app;
        BaseUrl = baseUrl;
    }

    public string ConfigDirectory { get; }

    public Uri BaseUrl { get; }

    public AisbxConfig Config => AisbxConfigLoader.Load(ConfigDirectory);

    public ApiKeys Keys => new(Config.KeysFile, TimeProvider.System);

    /// <param name="keys">Keys to create before the server starts: name → scopes (null: the default scopes).</param>
    /// <param name="files">Files to write into the config directory before the server starts: relative path → text.</param>
    /// <param name="adjust">Changes to the loaded config that no config file can make (where fresh workspaces go).</param>
    public static async Task<(InProcessServer Server, Dictionary<string, string> Keys)> StartAsync(
        string configToml, IReadOnlyDictionary<string, string[]?> keys, IReadOnlyDictionary<string, string>? files = null, Func<AisbxConfig, AisbxConfig>? adjust = null)
    {
        var directory = McpServerProcess.PrivateConfig(configToml);
        foreach (var (relative, text) in files ?? new Dictionary<string, string>())
        {
            var path = Path.Combine(directory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, text);
        }

        var config = AisbxConfigLoader.Load(directory);
        var store = new ApiKeys(config.KeysFile, TimeProvider.System);
        var created = keys.ToDictionary(k => k.Key, k => store.Create(k.Key, null, k.Value).Key);
        var app = HttpTransport.Build(adjust?.Invoke(config) ?? config, IPAddress.Loopback, 0, [], []);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (new InProcessServer(directory, app, new Uri(address)), created);
    }

    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromMinutes(2) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>Stops the server, which writes out the audit log's last batch; the config directory stays until disposal.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(ConfigDirectory, recursive: true);
    }
}
