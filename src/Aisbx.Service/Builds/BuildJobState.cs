namespace Aisbx.Service.Builds;

public enum BuildJobState
{
    Running,
    Succeeded,
    Failed,

    /// <summary>The server stopped while the build ran; the engine removed the partial tree.</summary>
    Cancelled,
}

public static class BuildJobStates
{
    public static string Name(this BuildJobState state) => state switch
    {
        BuildJobState.Running => "running",
        BuildJobState.Succeeded => "succeeded",
        BuildJobState.Failed => "failed",
        _ => "cancelled",
    };
}
