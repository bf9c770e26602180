using System.Text.Json;
using System.Text.Json.Serialization;

namespace Aisbx.Core.Security;

/// <summary>
/// Lockout state in one JSON file of the config directory, so that it holds across CLI runs. Written to a
/// temporary file and renamed over the old one: a crash leaves the old state or the new, never half of one.
/// Two runs that finish at the same instant may each save over the other's strike; the next strike counts again.
/// </summary>
public sealed class FileLockoutStore(string path) : ILockoutStore
{
    public LockoutState Load(string caller) => ReadAll().GetValueOrDefault(caller, LockoutState.Clear);

    public void Save(string caller, LockoutState state)
    {
        var all = ReadAll();
        if (state == LockoutState.Clear || (state.Strikes.IsEmpty && state.LockedUntil is null))
        {
            all.Remove(caller);
        }
        else
        {
            all[caller] = state;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(all, LockoutJsonContext.Default.DictionaryStringLockoutState));
        File.Move(temporary, path, overwrite: true);
    }

    public IReadOnlyList<string> Callers() => [.. ReadAll().Keys];

    private Dictionary<string, LockoutState> ReadAll()
    {
        // Every CLI run asks; the usual answer is that there is no state at all, and that needs no exception.
        if (!File.Exists(path))
        {
            return new Dictionary<string, LockoutState>(StringComparer.Ordinal);
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), LockoutJsonContext.Default.DictionaryStringLockoutState)
                ?? new Dictionary<string, LockoutState>(StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            // No state yet, or a file someone edited into nonsense: start clean rather than refuse every run.
            return new Dictionary<string, LockoutState>(StringComparer.Ordinal);
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(Dictionary<string, LockoutState>))]
internal sealed partial class LockoutJsonContext : JsonSerializerContext;
