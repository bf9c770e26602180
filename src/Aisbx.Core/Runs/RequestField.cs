namespace Aisbx.Core.Runs;

/// <summary>
/// A part of a run request, as a refusal points at it. Each surface names it in its own words
/// (<see cref="Policy.RequestVocabulary"/>): <c>--timeout</c> on the command line, <c>'timeout'</c> in JSON.
/// </summary>
public enum RequestField
{
    Command,
    Profile,
    Workdir,
    Timeout,
    CpuTime,
    Memory,
    Pids,
    Network,
    Env,
    Files,
    Stdin,
    Secrets,
    AllowHosts,
}
