using Aisbx.Cli;

return await AisbxCli.RunAsync(args);
