using System.CommandLine;
using System.Runtime.InteropServices;
using Aisbx.Cli.Commands;
using Aisbx.Core.Configuration;
using Aisbx.Sandbox.Pool;
using Aisbx.Sandbox.Resident;

namespace Aisbx.Cli.Resident;

/// <summary>
/// <c>aisbx resident [--warm PROFILE]</c> (hidden): the resident server of the config directory, which <c>aisbx run</c>
/// starts by itself when it finds none. It ends after <c>[pool] keep_for</c> without a run, on SIGTERM, or when its
/// socket or config changes; a second one for the same directory ends at once.
/// </summary>
internal static class ResidentCommand
{
    public static Command Create(Option<string?> configOption)
    {
        var warm = new Option<string?>("--warm") { Description = "A profile whose pool fills at once" };
        var command = new Command("resident", "The resident server that aisbx run hands its runs to (started by aisbx run)") { warm };
        command.Hidden = true;
        command.SetAction(parseResult => Serve(parseResult.GetValue(configOption), parseResult.GetValue(warm)));
        return command;
    }

    private static int Serve(string? configOption, string? warmProfile)
    {
        Detached.FromCaller();
        var place = new ResidentPlace(AisbxConfigLoader.DirectoryFor(configOption));
        Directory.CreateDirectory(place.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (!FileStamp.IsPrivateDirectory(place.Directory))
        {
            return AisbxCli.Fail($"{place.Directory} is not a directory of this user's that only it can enter: remove it");
        }

        using var held = ResidentLock.TryTake(place.LockFile);
        if (held is null)
        {
            return 0; // Another server has the directory.
        }

        var config = AisbxConfigLoader.Load(place.ConfigDirectory);
        if (!config.Pool.Resident)
        {
            return 0;
        }

        // Every path it uses is absolute by now: it keeps no directory of its starter's busy.
        Directory.SetCurrentDirectory("/");

        var runner = new Sandbox.SandboxRunner(config, new Core.Profiles.ProfileCatalog(config.ProfilesDirectory), CliConfig.Lockout(config), new Core.Secrets.ConfigSecretSource(config));
        using (var audit = new Core.Audit.RunAuditSink(new Core.Audit.AuditLog(config.AuditDirectory)))
        {
            runner.SweepLeftovers(audit, CliConfig.Caller);
        }

        using var pool = new WarmPool(runner);
        pool.WarmUp();
        if (warmProfile is not null)
        {
            pool.WarmUp(warmProfile);
        }

        using var listener = ResidentListener.Bind(place.Socket);
        using var server = new ResidentServer(place, config, runner, pool);
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            server.Stop();
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        var ownSocket = FileStamp.Of(place.Socket);
        server.Serve(listener);
        if (FileStamp.Of(place.Socket) == ownSocket)
        {
            File.Delete(place.Socket);
        }

        return 0;
    }
}
