using System.Text;

namespace Aisbx.Launcher;

/// <summary>One line to stderr, without the console machinery (which would cost start-up time in every sandbox).</summary>
internal static class Report
{
    public static int Fail(int exitCode, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message + "\n");
        Native.Write(2, bytes);
        return exitCode;
    }
}
