using Aisbx.Cli;
using Aisbx.Sandbox;

// Before anything opens a file: a closed 0, 1 or 2 must not be taken by one of aisbx's own descriptors.
CallerDescriptors.Secure();
// Started by the checkout's ./aisbx: rebuild first when a source is newer than this binary (told before the
// command does anything; the check runs meanwhile).
CheckoutFreshness.Start(args);
if (Aisbx.Cli.Commands.RunCommand.IsRun(args) && !Aisbx.Cli.Resident.ResidentPlace.Listening(Aisbx.Cli.Commands.RunCommand.ConfigBeforeRun(args)))
{
    // (A run that a resident server will likely take has no placement of its own to wait for.)
    // Before parsing: the kernel's grace period for the sandbox's cgroup placement runs while aisbx prepares the run.
    Aisbx.Sandbox.Limits.CgroupMigrationWarmUp.Start();
}

return await AisbxCli.RunAsync(args);
