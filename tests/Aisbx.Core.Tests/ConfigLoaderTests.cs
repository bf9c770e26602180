using Aisbx.Core.Configuration;

namespace Aisbx.Core.Tests;

public class ConfigLoaderTests
{
    [Fact]
    public void The_config_directory_comes_from_the_option_first()
    {
        using var dir = new TempDirectory();

        var config = AisbxConfigLoader.Load(dir.Path);

        Assert.Equal(dir.Path, config.ConfigDirectory);
        Assert.Equal(Path.Combine(dir.Path, "profiles"), config.ProfilesDirectory);
        Assert.Equal(AisbxConfig.DefaultSandboxId, config.SandboxUid);
    }

    [Fact]
    public void Config_toml_sets_the_sandbox_uid_roots_and_request_limits()
    {
        using var dir = new TempDirectory();
        dir.Write("config.toml", """
            [sandbox]
            host_uid = 61000
            host_gid = 61001
            [workdir]
            allowed_roots = ["/srv", "~/code"]
            [requests]
            max_stdin_bytes = 1024
            """);

        var config = AisbxConfigLoader.Load(dir.Path);

        Assert.Equal(61000, config.SandboxUid);
        Assert.Equal(61001, config.SandboxGid);
        Assert.Equal(["/srv", "~/code"], config.AllowedWorkdirRoots);
        Assert.Equal(1024, config.RequestLimits.MaxStdinBytes);
        Assert.Equal(Path.Combine(config.CallerHome, "code"), config.ExpandHome("~/code"));
    }

    [Fact]
    public void The_security_table_sets_the_lockout_policy()
    {
        using var dir = new TempDirectory();
        dir.Write("config.toml", "[security]\nlockout_after = 5\nlockout_window = \"1h\"\nlockout_for = \"30m\"\nlockout_severity = \"critical\"\n");

        var lockout = AisbxConfigLoader.Load(dir.Path).Lockout;

        Assert.Equal((5, TimeSpan.FromHours(1), TimeSpan.FromMinutes(30), Security.Severity.Critical),
            (lockout.Threshold, lockout.Window, lockout.Duration, lockout.MinimumSeverity));
    }

    [Theory]
    [InlineData("[security]\nlockout_after = -1", "lockout_after = -1 must be between 0")]
    [InlineData("[security]\nlockout_for = \"soon\"", "lockout_for 'soon' is not a duration")]
    [InlineData("[security]\nlockout_severity = \"dire\"", "lockout_severity 'dire' is not a severity")]
    [InlineData("[sandbox]\nhost_uid = 0", "must be a uid/gid other than 0")]
    [InlineData("[workdir]\nallowed_roots = [\"relative\"]", "must be an absolute path")]
    [InlineData("[sandbox]\nhost_id = 5", "unknown key 'host_id'")]
    public void A_bad_config_file_is_a_clear_error(string text, string expected)
    {
        using var dir = new TempDirectory();
        dir.Write("config.toml", text);

        var error = Assert.Throws<ConfigurationException>(() => AisbxConfigLoader.Load(dir.Path));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
