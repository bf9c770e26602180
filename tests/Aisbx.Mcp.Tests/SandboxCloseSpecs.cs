using System.Collections.ObjectModel;
using System.Text.Json;
using Aisbx.Core.Configuration;
using Aisbx.Service;
using Aisbx.Service.Events;

namespace Aisbx.Mcp.Tests;

/// <summary>What a closed sandbox leaves behind once its close has returned, on the service every surface calls.</summary>
public class SandboxCloseSpecs
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoArguments = ReadOnlyDictionary<string, JsonElement>.Empty;

    [Fact]
    public async Task Once_a_close_returns_the_sandbox_is_off_the_list_and_its_place_is_free()
    {
        var directory = McpServerProcess.PrivateConfig("[sandboxes]\nmax_per_caller = 1\ncreations_per_minute = 100\n");
        using var context = new ServiceContext(AisbxConfigLoader.Load(directory), new JsonLinesEventLog(TextWriter.Null));
        var caller = new CallerIdentity("key:alice", new HashSet<string> { "run" });
        var leftOver = new List<int>();
        try
        {
            for (var round = 0; round < 20; round++)
            {
                var created = await context.Sandboxes.CreateAsync(caller, NoArguments, JsonVocabulary.Tool, TestContext.Current.CancellationToken);
                Assert.True(created.Succeeded, created.Refusal);

                var closed = await context.Sandboxes.CloseAsync(caller, created.Value.SandboxId, TestContext.Current.CancellationToken);
                leftOver.Add(context.Sandboxes.Registry.Of("key:alice").Count);

                Assert.True(closed.Succeeded, closed.Refusal);
            }

            Assert.All(leftOver, count => Assert.Equal(0, count));
        }
        finally
        {
            await context.Sandboxes.StopAllAsync(TimeSpan.FromSeconds(5));
            Directory.Delete(directory, recursive: true);
        }
    }
}
