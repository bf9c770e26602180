namespace Aisbx.Sandbox.Rootfs;

/// <summary>
/// The downloaded packages that builds share (<c>&lt;cache&gt;/apt/archives</c>). Builds run at the same time, so a
/// build never writes into the shared directory while another may be copying from it: it hands its packages back
/// into a directory of its own, and each package then enters the shared one by a rename, whole or not at all.
/// </summary>
internal sealed class AptCache
{
    private AptCache(string archives, string incoming)
    {
        Archives = archives;
        Incoming = incoming;
    }

    /// <summary>What a build copies in from: only whole packages are ever here.</summary>
    public string Archives { get; }

    /// <summary>Where this build alone hands its packages back to.</summary>
    public string Incoming { get; }

    public static AptCache For(string cache)
    {
        var apt = Path.Combine(cache, "apt");
        var archives = Directory.CreateDirectory(Path.Combine(apt, "archives")).FullName;
        var incoming = Path.Combine(apt, ".incoming-" + Guid.NewGuid().ToString("N"));
        return new AptCache(archives, incoming);
    }

    /// <summary>Moves the packages the build fetched into the shared directory; ones already there are kept as they are.</summary>
    public void Publish()
    {
        if (!Directory.Exists(Incoming))
        {
            return;
        }

        foreach (var package in Directory.EnumerateFiles(Incoming, "*.deb"))
        {
            var target = Path.Combine(Archives, Path.GetFileName(package));
            if (!File.Exists(target))
            {
                File.Move(package, target, overwrite: false);
            }
        }
    }

    /// <summary>Removes this build's own directory, whatever the build's end.</summary>
    public void Discard()
    {
        try
        {
            Directory.Delete(Incoming, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
