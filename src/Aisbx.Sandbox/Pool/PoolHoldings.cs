namespace Aisbx.Sandbox.Pool;

/// <summary>What a pooled sandbox holds until it ends, given back in order: its workspace, then its tree's lease.</summary>
internal sealed class PoolHoldings(Host.Workspace workspace, Rootfs.RootfsLease tree) : IDisposable
{
    public void Dispose()
    {
        try
        {
            workspace.Dispose();
        }
        finally
        {
            tree.Dispose();
        }
    }
}
