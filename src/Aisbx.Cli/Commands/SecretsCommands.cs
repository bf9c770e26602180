using System.CommandLine;
using Aisbx.Core.Secrets;

namespace Aisbx.Cli.Commands;

/// <summary>
/// <c>aisbx secrets set NAME</c> (the value from stdin), <c>list</c>, <c>rm NAME</c>, <c>rekey</c>: the encrypted
/// store a run's <c>--secret NAME</c> draws on. The master passphrase comes from AISBX_MASTER_PASSWORD or the key file.
/// </summary>
internal static class SecretsCommands
{
    public static Command Create(Option<string?> configOption)
    {
        var setName = new Argument<string>("name") { Description = "The secret's name; a run gets it as the environment variable of that name" };
        var set = new Command("set", "Store a secret; its value is read from stdin (one trailing newline is dropped)") { setName };
        set.SetAction(parseResult =>
        {
            var config = CliConfig.Load(parseResult, configOption);
            var value = Console.In.ReadToEnd();
            value = value.EndsWith("\r\n", StringComparison.Ordinal) ? value[..^2] : value.EndsWith('\n') ? value[..^1] : value;
            if (value.Length == 0)
            {
                throw new SecretStoreException("the value on stdin is empty: pipe it in, e.g. printf %s \"$TOKEN\" | aisbx secrets set NAME");
            }

            var name = parseResult.GetValue(setName)!;
            SecretStore.Open(config.SecretsFile, MasterPassphrase.Get(config)).Set(name, value);
            Console.Out.WriteLine($"aisbx: secret '{name}' stored");
            return 0;
        });

        var list = new Command("list", "List the secrets' names (never their values)");
        list.SetAction(parseResult =>
        {
            var config = CliConfig.Load(parseResult, configOption);
            foreach (var name in SecretStore.Open(config.SecretsFile, MasterPassphrase.Get(config)).Names)
            {
                Console.Out.WriteLine(name);
            }

            return 0;
        });

        var rmName = new Argument<string>("name") { Description = "The secret to remove" };
        var rm = new Command("rm", "Remove a secret") { rmName };
        rm.SetAction(parseResult =>
        {
            var config = CliConfig.Load(parseResult, configOption);
            var name = parseResult.GetValue(rmName)!;
            if (!SecretStore.Open(config.SecretsFile, MasterPassphrase.Get(config)).Remove(name))
            {
                throw new SecretStoreException($"no secret named '{name}': see 'aisbx secrets list'");
            }

            Console.Out.WriteLine($"aisbx: secret '{name}' removed");
            return 0;
        });

        var rekey = new Command("rekey", "Change the master passphrase: re-encrypt every secret under AISBX_NEW_MASTER_PASSWORD");
        rekey.SetAction(parseResult =>
        {
            var config = CliConfig.Load(parseResult, configOption);
            var replacement = Environment.GetEnvironmentVariable("AISBX_NEW_MASTER_PASSWORD") is { Length: > 0 } fresh
                ? fresh
                : throw new SecretStoreException("set AISBX_NEW_MASTER_PASSWORD to the new passphrase (and AISBX_MASTER_PASSWORD to the current one)");
            SecretStore.Open(config.SecretsFile, MasterPassphrase.Get(config)).Rekey(replacement);
            Console.Out.WriteLine("aisbx: secrets re-encrypted under the new passphrase; update AISBX_MASTER_PASSWORD or the key file");
            return 0;
        });

        return new Command("secrets", "The encrypted secrets store (AES-256-GCM, PBKDF2-HMAC-SHA256)") { set, list, rm, rekey };
    }
}
