using System.Runtime.InteropServices;
using System.Text;

namespace Aisbx.Launcher;

/// <summary>
/// The program's execve, prepared ahead: the argument and environment vectors in native memory, and the paths to
/// try, found the way execvp finds them but through the program's own PATH.
/// </summary>
internal sealed unsafe class ProgramExec : IDisposable
{
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int ENOEXEC = 8;
    private const string DefaultPath = "/usr/local/bin:/usr/bin:/bin";

    private readonly string _program;
    private readonly string[] _argv;
    private readonly NativeStrings _strings = new();
    private readonly byte** _nativeArgv;
    private readonly byte** _nativeEnv;
    private readonly List<nint> _candidates = [];

    private ProgramExec(string program, string[] argv, string[] environment)
    {
        _program = program;
        _argv = argv;
        _nativeArgv = _strings.Vector(argv);
        _nativeEnv = _strings.Vector(environment);
        foreach (var path in Candidates(program, environment))
        {
            _candidates.Add((nint)_strings.Utf8(path));
        }
    }

    public static ProgramExec Prepare(string program, ReadOnlySpan<string> argv, string[] environment) =>
        new(program, argv.ToArray(), environment);

    /// <summary>Returns only when no candidate could be executed: 127 when none exists, 126 otherwise.</summary>
    public int Run()
    {
        var error = ENOENT;
        foreach (var candidate in _candidates)
        {
            Native.Execve((byte*)candidate, _nativeArgv, _nativeEnv);
            var attempt = Marshal.GetLastPInvokeError();
            if (attempt == ENOEXEC)
            {
                // A script without a #! line: run it with the shell, as execvp does.
                RunWithShell(candidate);
                attempt = Marshal.GetLastPInvokeError();
            }

            if (attempt is not (ENOENT or ENOTDIR))
            {
                error = attempt;
            }
        }

        return Report.Fail(error == ENOENT ? 127 : 126, $"aisbx: cannot run '{_program}': {Marshal.GetPInvokeErrorMessage(error)}");
    }

    private void RunWithShell(nint script)
    {
        var shellArgv = new string[_argv.Length + 1];
        shellArgv[0] = "/bin/sh";
        shellArgv[1] = Marshal.PtrToStringUTF8(script)!;
        Array.Copy(_argv, 1, shellArgv, 2, _argv.Length - 1);
        Native.Execve(_strings.Utf8("/bin/sh"), _strings.Vector(shellArgv), _nativeEnv);
    }

    /// <summary>Where to look for a program, as execvp looks, through the program's own PATH.</summary>
    public static IEnumerable<string> Candidates(string program, string[] environment)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            yield return program;
            yield break;
        }

        var path = DefaultPath;
        foreach (var entry in environment)
        {
            if (entry.StartsWith("PATH=", StringComparison.Ordinal))
            {
                path = entry[5..];
            }
        }

        foreach (var directory in path.Split(':'))
        {
            yield return (directory.Length == 0 ? "." : directory) + "/" + program;
        }
    }

    public void Dispose()
    {
        _strings.Dispose();
    }
}
