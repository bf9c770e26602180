using Aisbx.Core.Units;

namespace Aisbx.Core.Tests;

public class UnitsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("45", 45_000)]
    public void Durations_parse_as_the_command_line_writes_them(string text, double milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0s")]
    [InlineData("-1s")]
    [InlineData("10 parsecs")]
    [InlineData("30y")]
    [InlineData("99999d")]
    public void Bad_durations_are_refused(string text) => Assert.False(DurationText.TryParse(text, out _));

    [Theory]
    [InlineData("512K", 512L << 10)]
    [InlineData("256M", 256L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("1gib", 1L << 30)]
    [InlineData("4096", 4096)]
    public void Sizes_parse_in_powers_of_1024(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5M")]
    [InlineData("1.5G")]
    [InlineData("12Q")]
    [InlineData("99999999999T")]
    public void Bad_sizes_are_refused(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Fact]
    public void Formatting_round_trips()
    {
        Assert.Equal("2m", DurationText.Format(TimeSpan.FromMinutes(2)));
        Assert.Equal("500ms", DurationText.Format(TimeSpan.FromMilliseconds(500)));
        Assert.Equal("256M", ByteSize.Format(256L << 20));
    }
}
