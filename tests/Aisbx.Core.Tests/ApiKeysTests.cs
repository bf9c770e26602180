using Aisbx.Core.Security;

namespace Aisbx.Core.Tests;

public class ApiKeysTests
{
    [Fact]
    public void A_key_created_or_revoked_by_another_process_counts_at_the_next_request()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "keys.json");
        var server = new ApiKeys(path, TimeProvider.System);
        var cli = new ApiKeys(path, TimeProvider.System);

        Assert.Empty(server.List());
        var (key, _) = cli.Create("ci", null, null);
        Assert.Equal(KeyRejection.Unknown, server.Authenticate("aisbx_not-a-key").Rejection);
        Assert.Equal("ci", server.Authenticate(key).Record?.Name);

        // Unchanged file: the snapshot stands (the same list, not read again).
        Assert.Same(server.List(), server.List());

        cli.Revoke("ci");
        Assert.Equal(KeyRejection.Revoked, server.Authenticate(key).Rejection);

        File.Delete(path);
        Assert.Empty(server.List());
        Assert.Null(server.Authenticate(key).Record);
    }
}
