using Aisbx.Core.Configuration;

namespace Aisbx.Core.Tests;

/// <summary><c>[pool]</c> in config.toml: the warm pool's size per profile, its sizes by name, and how long it is kept.</summary>
public class PoolConfigTests
{
    [Fact]
    public void Without_a_pool_table_each_profile_in_use_keeps_two_for_ten_minutes()
    {
        using var dir = new TempDirectory();

        var pool = AisbxConfigLoader.Load(dir.Path).Pool;

        Assert.Equal((2, TimeSpan.FromMinutes(10), 2), (pool.Size, pool.KeepFor, pool.SizeFor("python-dev")));
    }

    [Fact]
    public void The_pool_table_sets_the_size_the_keep_time_and_sizes_by_profile_as_the_docs_show()
    {
        using var dir = new TempDirectory();
        dir.Write("config.toml", "[pool]\nsize = 3\nkeep_for = \"2m\"\nprofiles = { \"python-dev\" = 4, \"java-dev\" = 0 }\n");

        var pool = AisbxConfigLoader.Load(dir.Path).Pool;

        Assert.Equal((3, TimeSpan.FromMinutes(2)), (pool.Size, pool.KeepFor));
        Assert.Equal((4, 0, 3), (pool.SizeFor("python-dev"), pool.SizeFor("java-dev"), pool.SizeFor("default")));
    }

    [Theory]
    [InlineData("[pool]\nsize = -1", "size = -1 must be a whole number from 0 (no pool) to 64")]
    [InlineData("[pool]\nsize = 65", "size = 65 must be a whole number from 0 (no pool) to 64")]
    [InlineData("[pool]\nsize = \"two\"", "'size' must be an integer")]
    [InlineData("[pool]\nkeep_for = \"soon\"", "keep_for")]
    [InlineData("[pool]\nprofiles = { \"python-dev\" = 100 }", "python-dev = 100 must be a whole number")]
    [InlineData("[pool]\nsizes = 2", "unknown key 'sizes'")]
    public void A_bad_pool_table_is_refused_naming_the_key(string toml, string expected)
    {
        using var dir = new TempDirectory();
        dir.Write("config.toml", toml);

        var error = Assert.Throws<ConfigurationException>(() => AisbxConfigLoader.Load(dir.Path));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
