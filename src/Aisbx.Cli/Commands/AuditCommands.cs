using System.CommandLine;
using Aisbx.Core.Audit;

namespace Aisbx.Cli.Commands;

/// <summary><c>aisbx audit verify</c>: checks every hash and link of the audit log; exit 0 intact, 1 broken.</summary>
internal static class AuditCommands
{
    public static Command Create(Option<string?> configOption)
    {
        var verify = new Command("verify", "Check the audit log's hash chain: an edited, deleted, reordered or cut record is found");
        verify.SetAction(parseResult =>
        {
            var config = CliConfig.Load(parseResult, configOption);
            var verdict = AuditVerifier.Verify(new AuditLog(config.AuditDirectory));
            (verdict.Intact ? Console.Out : Console.Error).WriteLine((verdict.Intact ? "" : "aisbx: ") + verdict.Message);
            return verdict.Intact ? 0 : 1;
        });

        return new Command("audit", "The hash-chained audit log in <config>/audit") { verify };
    }
}
