using System.Runtime.InteropServices;
using Aisbx.Cli;
using Aisbx.Cli.Resident;
using Aisbx.Core.Policy;
using Aisbx.Run;
using Aisbx.Sandbox;

// Before anything opens a file: a closed 0, 1 or 2 must not be taken by one of this process's own descriptors.
CallerDescriptors.Secure();
var aisbx = Path.Combine(Path.GetDirectoryName(Environment.ProcessPath) ?? ".", "aisbx");
var parsed = RunArguments.TryParse(args);
if (parsed is null || !ResidentClient.Suits(parsed.Request) || !File.Exists(aisbx))
{
    return HandOver.To(aisbx, args);
}

using var interrupted = new CancellationTokenSource();
void Interrupt(PosixSignalContext signal)
{
    signal.Cancel = true;
    interrupted.Cancel();
}

using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
try
{
    var place = new ResidentPlace(Aisbx.Core.Configuration.AisbxConfigLoader.DirectoryFor(parsed.ConfigOption));
    var attempt = ResidentClient.TryRun(place, parsed.Request, ResidentPlace.Build(aisbx), CheckoutFreshness.Wrapper, interrupted.Token);
    return attempt.ExitCode ?? HandOver.To(aisbx, args);
}
catch (PolicyRefusal refusal)
{
    return Fail($"refused ({refusal.Rule}): {refusal.Message}");
}
catch (ResidentFailure failure)
{
    return Fail(failure.Message);
}
catch (OperationCanceledException)
{
    return Fail("interrupted");
}

static int Fail(string message)
{
    Console.Error.WriteLine("aisbx: " + message);
    return Aisbx.Core.Runs.ExitCodes.OwnError;
}
