using Aisbx.Core.Units;

namespace Aisbx.Core.Tests;

public class ByteCountTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(12_897_485, "12.3 MiB")]
    [InlineData(183_500_800, "175 MiB")]
    [InlineData(1L << 30, "1.0 GiB")]
    public void Sizes_read_by_people_are_rounded_to_a_binary_unit(long bytes, string text) =>
        Assert.Equal(text, ByteCount.Human(bytes));
}
