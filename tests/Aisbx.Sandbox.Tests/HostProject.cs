using System.Diagnostics;
using System.Globalization;
using Aisbx.Sandbox.Host;
using static Aisbx.Sandbox.Interop.Interop;
using Aisbx.Tests.Shared;

namespace Aisbx.Sandbox.Tests;

/// <summary>A project directory on the host, as a user has it: files, a git repository, and host-side checks on them.</summary>
internal static class HostProject
{
    /// <summary>A committed git repository with a few files, made by the host's git as the test's uid.</summary>
    public static string CreateGitRepository(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "hello.c"), "int main(void) { return 0; }\n");
        Directory.CreateDirectory(Path.Combine(directory, "src"));
        File.WriteAllText(Path.Combine(directory, "src", "lib.c"), "int lib(void) { return 1; }\n");
        Git(directory, "init", "-q");
        Git(directory, "add", "-A");
        Git(directory, "-c", "user.name=host", "-c", "user.email=host@example.com", "commit", "-qm", "initial");
        return directory;
    }

    /// <summary>Runs the host's git in <paramref name="directory"/>; throws with its stderr unless it succeeds.</summary>
    public static string Git(string directory, params string[] args)
    {
        var (exitCode, stdout, stderr) = HostCommands.Run("git", ["-C", directory, .. args]);
        return exitCode == 0 ? stdout : throw new InvalidOperationException($"host git {string.Join(' ', args)} failed: {stderr}");
    }

    /// <summary>The host's find(1) below <paramref name="directory"/> (it walks any depth), one path per line.</summary>
    public static string[] Find(string directory, params string[] predicate)
    {
        var (exitCode, stdout, stderr) = HostCommands.Run("find", [directory, .. predicate, "-print"]);
        Assert.True(exitCode == 0, stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Entries below (and including) <paramref name="directory"/> that are not owned by <paramref name="uid"/>:<paramref name="gid"/>.</summary>
    public static string[] NotOwnedBy(string directory, int uid, int gid) =>
        Find(directory, "(", "!", "-uid", Number(uid), "-o", "!", "-gid", Number(gid), ")");

    /// <summary>Entries with an ACL entry for <paramref name="uid"/> or <paramref name="gid"/> (access or default).</summary>
    public static List<string> WithAclEntriesFor(string directory, int uid, int gid)
    {
        string[] named = [$"user:{Number(uid)}:", $"group:{Number(gid)}:"];
        return [.. Find(directory, "!", "-type", "l").Where(path =>
        {
            var types = Directory.Exists(path) ? new[] { ACL_TYPE_ACCESS, ACL_TYPE_DEFAULT } : [ACL_TYPE_ACCESS];
            return types.Any(type => AclFile.Read(path, type).Any(line => named.Any(prefix => line.StartsWith(prefix, StringComparison.Ordinal))));
        })];
    }

    /// <summary>The status of the path itself, a symlink not followed.</summary>
    public static Statx Lstat(string path) =>
        StatxCall(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out var status) == 0
            ? status
            : throw new FileNotFoundException("no such path", path);

    public static void ChownTree(string directory, int uid, int gid)
    {
        var (exitCode, _, stderr) = HostCommands.Run("chown", ["-R", $"{Number(uid)}:{Number(gid)}", directory]);
        Assert.True(exitCode == 0, stderr);
    }

    /// <summary>rm -rf, for trees .NET cannot delete (names that are not UTF-8, great depth).</summary>
    public static void Remove(string directory)
    {
        var (exitCode, _, stderr) = HostCommands.Run("rm", ["-rf", "--", directory]);
        Assert.True(exitCode == 0, stderr);
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
