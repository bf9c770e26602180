using Aisbx.Cli;
using Aisbx.Sandbox;

// Before anything opens a file: a closed 0, 1 or 2 must not be taken by one of aisbx's own descriptors.
CallerDescriptors.Secure();
// Started by the checkout's ./aisbx: rebuild first when a source is newer than this binary.
CheckoutFreshness.HandOffIfStale(args);
return await AisbxCli.RunAsync(args);
