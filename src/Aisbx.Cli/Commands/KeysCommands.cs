using System.CommandLine;
using Aisbx.Core;
using Aisbx.Core.Audit;
using Aisbx.Core.Security;
using Aisbx.Core.Units;

namespace Aisbx.Cli.Commands;

/// <summary><c>aisbx keys create|list|revoke</c>: the API keys of the HTTP server; each change is audited.</summary>
internal static class KeysCommands
{
    public static Command Create(Option<string?> configOption)
    {
        var name = new Option<string>("--name") { Description = "A name for the key (who or what uses it)", Required = true };
        var expires = new Option<string?>("--expires") { Description = "Lifetime, e.g. 30d, 12h (default: no expiry)" };
        var scope = new Option<string?>("--scope") { Description = "Comma-separated: run, build, read, metrics, secret:NAME, * (default: run,build,read,metrics)" };
        var create = new Command("create", "Create a key and print it once (only its hash is kept)") { name, expires, scope };
        create.SetAction(parseResult =>
        {
            var config = CliConfig.Load(parseResult, configOption);
            var lifetime = parseResult.GetValue(expires) is { } text
                ? (DurationText.TryParse(text, out var span) && span > TimeSpan.Zero ? span : throw new AisbxException($"--expires '{text}' is not a duration: write e.g. 30d, 12h or 90m"))
                : (TimeSpan?)null;
            var scopes = parseResult.GetValue(scope)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var (key, record) = new ApiKeys(config.KeysFile, TimeProvider.System).Create(parseResult.GetValue(name)!, lifetime, scopes);
            Audit(config, SecurityEventKind.KeyCreated, $"key '{record.Name}' created, scopes {string.Join(",", record.Scopes)}{(record.Expires is { } e ? ", expires " + Stamp(e) : "")}");
            Console.Out.WriteLine(key);
            Console.Error.WriteLine($"aisbx: key '{record.Name}' created; it is shown only now: store it where the client reads it");
            return 0;
        });

        var list = new Command("list", "List the keys: name, scopes, created, expiry, state");
        list.SetAction(parseResult =>
        {
            var config = CliConfig.Load(parseResult, configOption);
            var now = DateTimeOffset.UtcNow;
            foreach (var record in new ApiKeys(config.KeysFile, TimeProvider.System).List())
            {
                var state = record.Revoked is { } r ? "revoked " + Stamp(r) : record.Expires is { } e && e <= now ? "expired" : "live";
                Console.Out.WriteLine($"{record.Name}\t{string.Join(",", record.Scopes)}\tcreated {Stamp(record.Created)}\texpires {(record.Expires is { } x ? Stamp(x) : "never")}\t{state}");
            }

            return 0;
        });

        var revokeName = new Argument<string>("name") { Description = "The key to revoke" };
        var revoke = new Command("revoke", "Revoke a key: requests with it get 401 from then on") { revokeName };
        revoke.SetAction(parseResult =>
        {
            var config = CliConfig.Load(parseResult, configOption);
            var record = new ApiKeys(config.KeysFile, TimeProvider.System).Revoke(parseResult.GetValue(revokeName)!);
            Audit(config, SecurityEventKind.KeyRevoked, $"key '{record.Name}' revoked");
            Console.Out.WriteLine($"aisbx: key '{record.Name}' revoked");
            return 0;
        });

        return new Command("keys", "API keys for the HTTP server (aisbx-mcp --transport http)") { create, list, revoke };
    }

    private static void Audit(Core.Configuration.AisbxConfig config, string kind, string detail) =>
        new AuditLog(config.AuditDirectory).Append([new AuditEntry(kind, detail, Severity.Medium.Name(), kind["key-".Length..], null, null, CliConfig.Caller, DateTimeOffset.UtcNow)]);

    private static string Stamp(DateTimeOffset time) => TimeText.Format(time);
}
