using Aisbx.Sandbox.Rootfs;
using Spectre.Console;

namespace Aisbx.Cli.Commands.Builds;

/// <summary>On a terminal: a Spectre.Console progress bar per build (phase, packages done of the total, bytes, time), cleared when it ends.</summary>
internal sealed class BuildProgressBar : BuildView
{
    private readonly IAnsiConsole _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });

    public override async Task<BuildOutcome> ShowAsync(string profile, Func<IProgress<BuildProgress>, Task<BuildOutcome>> build)
    {
        BuildOutcome? outcome = null;
        await _console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape($"{profile}: starting"));
                task.IsIndeterminate = true;
                outcome = await build(new Bar(profile, task)).ConfigureAwait(false);
                task.StopTask();
            }).ConfigureAwait(false);
        return outcome!;
    }

    /// <summary>ProgressTask is thread-safe: the builder's thread updates it, Spectre's renders it.</summary>
    private sealed class Bar(string profile, ProgressTask task) : IProgress<BuildProgress>
    {
        public void Report(BuildProgress value)
        {
            task.Description = Markup.Escape($"{profile}: {Describe(value)}");
            task.IsIndeterminate = value.Total <= 0;
            if (value.Total > 0)
            {
                task.MaxValue = value.Total;
                task.Value = Math.Min(value.Done, value.Total);
            }
        }
    }
}
