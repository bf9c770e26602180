using System.Text.Json.Nodes;
using Aisbx.Core.Secrets;

namespace Aisbx.Core.Tests;

public class SecretStoreTests
{
    [Fact]
    public void Secrets_round_trip_and_the_file_holds_no_value()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "secrets.json");
        SecretStore.Open(path, "correct horse").Set("GITHUB_TOKEN", "ghp_very_secret");

        var reopened = SecretStore.Open(path, "correct horse");

        Assert.Equal("ghp_very_secret", reopened.Get("GITHUB_TOKEN"));
        Assert.Equal(["GITHUB_TOKEN"], reopened.Names);
        Assert.DoesNotContain("ghp_very_secret", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Contains("\"iterations\": 600000", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void A_wrong_passphrase_is_one_clear_error()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "secrets.json");
        SecretStore.Open(path, "right").Set("A", "value");

        var error = Assert.Throws<SecretStoreException>(() => SecretStore.Open(path, "wrong"));

        Assert.StartsWith("the master passphrase is wrong", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flipped_byte_in_a_secret_is_refused_not_returned_as_garbage()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "secrets.json");
        SecretStore.Open(path, "pass").Set("A", "value-a");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var ciphertext = Convert.FromBase64String(json["secrets"]!["A"]!["ciphertext"]!.GetValue<string>());
        ciphertext[0] ^= 1;
        json["secrets"]!["A"]!["ciphertext"] = Convert.ToBase64String(ciphertext);
        File.WriteAllText(path, json.ToJsonString());

        var error = Assert.Throws<SecretStoreException>(() => SecretStore.Open(path, "pass").Get("A"));

        Assert.Contains("'A' was altered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_swapped_between_names_do_not_decrypt()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "secrets.json");
        var store = SecretStore.Open(path, "pass");
        store.Set("A", "alpha");
        store.Set("B", "bravo");
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        var a = json["secrets"]!["A"]!.DeepClone();
        json["secrets"]!["A"] = json["secrets"]!["B"]!.DeepClone();
        json["secrets"]!["B"] = a;
        File.WriteAllText(path, json.ToJsonString());

        Assert.Throws<SecretStoreException>(() => SecretStore.Open(path, "pass").Get("A"));
    }

    [Fact]
    public void A_damaged_file_is_one_clear_error()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("secrets.json", "{ not json");

        var error = Assert.Throws<SecretStoreException>(() => SecretStore.Open(path, "pass"));

        Assert.Contains("is not a secrets store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rekeying_keeps_every_secret_under_the_new_passphrase_only()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "secrets.json");
        SecretStore.Open(path, "old").Set("A", "alpha");

        SecretStore.Open(path, "old").Rekey("new");

        Assert.Equal("alpha", SecretStore.Open(path, "new").Get("A"));
        Assert.Throws<SecretStoreException>(() => SecretStore.Open(path, "old"));
    }
}
