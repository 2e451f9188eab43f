using Pulse.Cli;

return await PulseCommandLine.RunAsync(args);
