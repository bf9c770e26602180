using System.Text;
using System.Text.Json;
using Aisbx.Tests.Shared;

namespace Aisbx.Mcp.Tests.Builds;

/// <summary>
/// An in-process server whose store of trees is its own (so that its first build is a real mmdebstrap build, with
/// progress to see), with the suite's apt cache (so that nothing is downloaded twice), and a small profile: Debian's
/// essential set, nothing more.
/// </summary>
public sealed class BuildServer : IAsyncDisposable
{
    public const string Profile = "tiny";

    private BuildServer(InProcessServer server, Dictionary<string, string> keys, string store)
    {
        Server = server;
        Keys = keys;
        Store = store;
    }

    public InProcessServer Server { get; }

    public Dictionary<string, string> Keys { get; }

    public string Store { get; }

    public static async Task<BuildServer> StartAsync(IReadOnlyDictionary<string, string[]?> keys)
    {
        var store = Directory.CreateTempSubdirectory("aisbx-build-store-").FullName;
        var config = $"[server]\nrequests_per_minute = 100000\n\n[rootfs]\nstore = \"{store}\"\ncache = \"{TestTrees.Cache}\"\n";
        var files = new Dictionary<string, string>
        {
            [$"profiles/{Profile}.toml"] = $"extends = \"minimal\"\ndescription = \"Debian's essential set\"\n[rootfs]\npackages = []\n",
            ["profiles/broken.toml"] = "extends = \"minimal\"\ndescription = \"a package Debian does not have\"\n[rootfs]\npackages = [\"aisbx-no-such-package\"]\n",
            ["profiles/on-host.toml"] = "extends = \"minimal\"\ndescription = \"the host's /usr\"\nrootfs = \"host\"\n",
        };
        var (server, created) = await InProcessServer.StartAsync(config, keys, files);
        return new BuildServer(server, created, store);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>What the store holds besides its own bookkeeping: trees (by hash) and staging directories of builds.</summary>
    public string[] Trees() =>
        [.. Directory.GetFileSystemEntries(Store).Select(Path.GetFileName).Where(n => n!.StartsWith(".staging-", StringComparison.Ordinal) || n.Length == 64).Order()!];

    /// <summary>GETs the job until it has ended, keeping every answer seen on the way.</summary>
    public static async Task<List<JsonElement>> FollowAsync(HttpClient client, string id)
    {
        var seen = new List<JsonElement>();
        while (true)
        {
            var response = await client.GetAsync($"/v1/builds/{id}", TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
            seen.Add(status);
            if (status.GetProperty("state").GetString() != "running")
            {
                return seen;
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Store, recursive: true);
    }
}
