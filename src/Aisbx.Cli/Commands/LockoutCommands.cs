using System.CommandLine;
using Aisbx.Core.Units;
using Aisbx.Core.Security;

namespace Aisbx.Cli.Commands;

/// <summary><c>aisbx lockout list</c> and <c>aisbx lockout clear [CALLER]</c>: callers refused after repeated high-severity events.</summary>
internal static class LockoutCommands
{
    public static Command Create(Option<string?> configOption)
    {
        var list = new Command("list", "List callers with recent high-severity events, and any lockout");
        list.SetAction(parseResult =>
        {
            var config = CliConfig.Load(parseResult, configOption);
            var store = new FileLockoutStore(Path.Combine(config.StateDirectory, "lockouts.json"));
            foreach (var caller in store.Callers())
            {
                var state = store.Load(caller);
                var until = state.LockedUntil is { } t && t > DateTimeOffset.UtcNow
                    ? "locked out until " + TimeText.Format(t)
                    : "not locked out";
                Console.Out.WriteLine($"{caller}\t{until}\t{state.Strikes.Length} recent strike(s)");
            }

            return 0;
        });

        var caller = new Argument<string?>("caller") { Description = "The caller to clear (default: this user, as the CLI names it)", Arity = ArgumentArity.ZeroOrOne };
        var clear = new Command("clear", "Lift a caller's lockout and forget its strikes") { caller };
        clear.SetAction(parseResult =>
        {
            var config = CliConfig.Load(parseResult, configOption);
            var name = parseResult.GetValue(caller) ?? CliConfig.Caller;
            CliConfig.Lockout(config).Clear(name);
            Console.Out.WriteLine($"aisbx: cleared the lockout of {name}");
            return 0;
        });

        return new Command("lockout", "Callers whose runs are refused after repeated high-severity events") { list, clear };
    }
}
