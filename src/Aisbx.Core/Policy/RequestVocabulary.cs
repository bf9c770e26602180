using Aisbx.Core.Runs;

namespace Aisbx.Core.Policy;

/// <summary>
/// How one surface (the command line, an MCP tool, the REST API) names the parts of a request, so that a refusal
/// points at what the caller actually wrote there.
/// </summary>
public abstract class RequestVocabulary
{
    /// <summary>The words of <c>aisbx run</c>: its options.</summary>
    public static RequestVocabulary CommandLine { get; } = new CommandLineVocabulary();

    /// <summary>The field as written on this surface, e.g. <c>--timeout</c> or <c>'timeout'</c>.</summary>
    public abstract string Name(RequestField field);

    /// <summary>How to give the program to run here, with an example.</summary>
    public abstract string HowToGiveCommand { get; }

    private sealed class CommandLineVocabulary : RequestVocabulary
    {
        public override string HowToGiveCommand => "put the program and its arguments after --, e.g. aisbx run -- python3 -c 'print(1)'";

        public override string Name(RequestField field) => field switch
        {
            RequestField.Command => "the command",
            RequestField.Profile => "--profile",
            RequestField.Workdir => "--workdir",
            RequestField.Timeout => "--timeout",
            RequestField.CpuTime => "--cpu-time",
            RequestField.Memory => "--memory",
            RequestField.Pids => "--pids",
            RequestField.Network => "--network",
            RequestField.Env => "--env",
            RequestField.Secrets => "--secret",
            RequestField.AllowHosts => "--allow-host",
            RequestField.Files => "the files",
            RequestField.Stdin => "standard input",
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
    }
}
