#!/usr/bin/env python3
"""Start-up overhead of aisbx over bare bubblewrap, with the launcher's own cost shown apart, in one interleaved run.

    bench/startup.py [RUNS] [--against CHECKOUT]        (default 200 runs)

Each round runs, back to back and in rotating order, /bin/true as:
  exec             directly                                              (the machine's floor)
  bwrap-bare       bare bubblewrap, every namespace, /usr read-only      (the bar: bwrap --unshare-all ...)
  bwrap            aisbx's exact bubblewrap command, minus the launcher  (bwrap as the sandbox uid, as aisbx starts it)
  bwrap+launcher   aisbx's exact command: the launcher installs the filter, hands its listener over a socket, execs
  aisbx            the binary: aisbx run -- /bin/true                    (policy, profile, fresh workspace, cgroup, ...)
  ./aisbx          the same through the checkout's ./aisbx, as the README types it (its freshness check included)
With --against CHECKOUT, that checkout's binary and ./aisbx run in the same rounds (before/after, paired); it must
be built, and use the same trees.
Every one is started the same way (posix_spawn from this process, timed from spawn to reaped), and the script
prints medians, p90s, the median CPU of each start (the process and everything it reaped: what sets the runs per
second of a busy server) and the ratios of the medians. The commands come from 'aisbx run --dry-run --json'.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

from sandbox_command import ensure_trees, interleaved, ROOT, BwrapCommand, build, percentile, scratch_config, spawn_and_wait

ARGS = [a for a in sys.argv[1:] if not a.startswith("--against")]
AGAINST = next((sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--against"), None)
RUNS = int(ARGS[0]) if ARGS and ARGS[0] != AGAINST else 200


def main():
    aisbx = build()
    scratch = tempfile.mkdtemp(prefix="aisbx-bench-")
    try:
        config, workdir = scratch_config(scratch)
        ensure_trees(aisbx, config, "default")
        aisbx_argv = [aisbx, "--config", config, "run", "--", "/bin/true"]
        wrapper_argv = [os.path.join(ROOT, "aisbx"), "--config", config, "run", "--", "/bin/true"]
        bare_argv = ["/usr/bin/bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr",
                     "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                     "--proc", "/proc", "--dev", "/dev", "/bin/true"]
        # One real run first: it lets the unprivileged uid traverse to the scratch workdir (bwrap's command uses it).
        subprocess.run([aisbx, "--config", config, "run", "-w", workdir, "--", "/bin/true"], check=True, stdin=subprocess.DEVNULL)
        bwrap = BwrapCommand(aisbx, config, workdir, scratch)
        stdin = [(os.POSIX_SPAWN_DUP2, bwrap.devnull, 0)]

        variants = {
            "exec": lambda: spawn_and_wait(["/bin/true"], stdin),
            "bwrap-bare": lambda: spawn_and_wait(bare_argv, stdin),
            "bwrap": lambda: bwrap.run(False),
            "bwrap+launcher": lambda: bwrap.run(True),
            "aisbx": lambda: spawn_and_wait(aisbx_argv, stdin),
            "./aisbx": lambda: spawn_and_wait(wrapper_argv, stdin),
        }
        if AGAINST:
            other = os.path.abspath(AGAINST)
            variants["aisbx@against"] = lambda: spawn_and_wait([os.path.join(other, ".build", "aisbx", "aisbx")] + aisbx_argv[1:], stdin)
            variants["./aisbx@against"] = lambda: spawn_and_wait([os.path.join(other, "aisbx")] + wrapper_argv[1:], stdin)
        names = list(variants)
        cpu = {}
        times = interleaved(variants, RUNS, warmup=10, cpu=cpu)

        version = subprocess.run(["bwrap", "--version"], capture_output=True, text=True).stdout.strip()
        print(f"runs: {RUNS} each, interleaved; {os.cpu_count()} cores; {version}; uid {os.geteuid()}")
        medians = {}
        for name in names:
            ordered = sorted(times[name])
            medians[name] = statistics.median(ordered)
            print(f"{name:<15} median {medians[name]:7.2f} ms   p90 {percentile(ordered, 0.9):7.2f} ms   CPU {statistics.median(cpu[name]):6.2f} ms")
        launcher = medians["bwrap+launcher"] - medians["bwrap"]
        print(f"launcher:       +{launcher:.2f} ms over bwrap ({medians['bwrap+launcher'] / medians['bwrap']:.2f}x)")
        print(f"aisbx / bwrap:  {medians['aisbx'] / medians['bwrap']:.2f}x (aisbx adds {medians['aisbx'] - medians['bwrap']:.2f} ms, "
              f"of which the launcher {launcher:.2f} ms)")
        print(f"aisbx / bare:   {medians['aisbx'] / medians['bwrap-bare']:.2f}x; ./aisbx / bare: {medians['./aisbx'] / medians['bwrap-bare']:.2f}x "
              f"(the wrapper's check adds {medians['./aisbx'] - medians['aisbx']:.2f} ms)")
        if AGAINST:
            print(f"against {AGAINST}: aisbx / bare {medians['aisbx@against'] / medians['bwrap-bare']:.2f}x, ./aisbx / bare "
                  f"{medians['./aisbx@against'] / medians['bwrap-bare']:.2f}x; this checkout's aisbx {medians['aisbx'] / medians['aisbx@against']:.2f}x "
                  f"of it, ./aisbx {medians['./aisbx'] / medians['./aisbx@against']:.2f}x")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
