#!/usr/bin/env python3
"""Start-up overhead of aisbx over bare bubblewrap, with the launcher's own cost shown apart, in one interleaved run.

    bench/startup.py [RUNS] [--against CHECKOUT]        (default 200 runs)

Each round runs, back to back and in rotating order, /bin/true as:
  exec             directly                                              (the machine's floor)
  bwrap-bare       bare bubblewrap, every namespace, /usr read-only      (the bar: bwrap --unshare-all ...)
  bwrap            aisbx's exact bubblewrap command, minus the launcher  (bwrap as the sandbox uid, as aisbx starts it)
  bwrap+launcher   aisbx's exact command: the launcher installs the filter, hands its listener over a socket, execs
  aisbx            the binary: aisbx run -- /bin/true, as a user runs it: the config's resident server takes the run
                   into a sandbox of its warm pool (the first run starts the server; the warm-up rounds hide that)
  aisbx-direct     the same with [pool] resident = false: the run builds its own sandbox (policy, profile, fresh
                   workspace, cgroup, ...)
  ./aisbx          the checkout's ./aisbx, as the README types it: dash, then aisbx-run (the small front that takes
                   plain runs to the resident server itself), its freshness check included
With --against CHECKOUT, that checkout's binary and ./aisbx run in the same rounds (before/after, paired); it must
be built, and use the same trees.
Every one is started the same way (posix_spawn from this process, timed from spawn to reaped), and the script
prints medians, p90s, the median CPU of each start (the process and everything it reaped: what sets the runs per
second of a busy server) and the ratios of the medians. The resident server's own CPU is not reaped by this
process: it is read from /proc and printed apart, per run it served. The commands come from 'aisbx run --dry-run --json'.
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
        direct_config = os.path.join(scratch, "direct")
        shutil.copytree(config, direct_config)
        with open(os.path.join(direct_config, "config.toml"), "a") as f:
            f.write("\n[pool]\nresident = false\n")
        direct_argv = [aisbx, "--config", direct_config, "run", "--", "/bin/true"]
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
            "aisbx-direct": lambda: spawn_and_wait(direct_argv, stdin),
            "./aisbx": lambda: spawn_and_wait(wrapper_argv, stdin),
        }
        if AGAINST:
            other = os.path.abspath(AGAINST)
            # A config of its own: a resident server serves only the build that started it.
            against_config = os.path.join(scratch, "against")
            shutil.copytree(config, against_config, ignore=shutil.ignore_patterns("run"))
            against_argv = ["--config", against_config, "run", "--", "/bin/true"]
            variants["aisbx@against"] = lambda: spawn_and_wait([os.path.join(other, ".build", "aisbx", "aisbx")] + against_argv, stdin)
            variants["./aisbx@against"] = lambda: spawn_and_wait([os.path.join(other, "aisbx")] + against_argv, stdin)
        names = list(variants)
        cpu = {}
        for _ in range(3):
            variants["aisbx"]()  # the first starts the resident server; its pool fills before the rounds begin
        server = resident_server(config)
        server_cpu = process_cpu(server)
        times = interleaved(variants, RUNS, warmup=10, cpu=cpu)
        served = 2 * (RUNS + 10)  # aisbx and ./aisbx use the same server
        server_cpu = (process_cpu(server) - server_cpu) / served if server else None

        version = subprocess.run(["bwrap", "--version"], capture_output=True, text=True).stdout.strip()
        print(f"runs: {RUNS} each, interleaved; {os.cpu_count()} cores; {version}; uid {os.geteuid()}")
        medians = {}
        for name in names:
            ordered = sorted(times[name])
            medians[name] = statistics.median(ordered)
            print(f"{name:<15} median {medians[name]:7.2f} ms   p90 {percentile(ordered, 0.9):7.2f} ms   CPU {statistics.median(cpu[name]):6.2f} ms")
        if server_cpu is not None:
            print(f"resident server: CPU {server_cpu:6.2f} ms per run it served (its own and its sandboxes', from /proc)")
        else:
            print("resident server: none found (the aisbx rows ran directly)")
        launcher = medians["bwrap+launcher"] - medians["bwrap"]
        print(f"launcher:       +{launcher:.2f} ms over bwrap ({medians['bwrap+launcher'] / medians['bwrap']:.2f}x)")
        print(f"aisbx / bwrap:  {medians['aisbx'] / medians['bwrap']:.2f}x (aisbx adds {medians['aisbx'] - medians['bwrap']:.2f} ms, "
              f"of which the launcher {launcher:.2f} ms)")
        print(f"aisbx / bare:   {medians['aisbx'] / medians['bwrap-bare']:.2f}x; ./aisbx / bare: {medians['./aisbx'] / medians['bwrap-bare']:.2f}x "
              f"(./aisbx - aisbx: {medians['./aisbx'] - medians['aisbx']:+.2f} ms); aisbx-direct / bare: "
              f"{medians['aisbx-direct'] / medians['bwrap-bare']:.2f}x")
        if AGAINST:
            print(f"against {AGAINST}: aisbx / bare {medians['aisbx@against'] / medians['bwrap-bare']:.2f}x, ./aisbx / bare "
                  f"{medians['./aisbx@against'] / medians['bwrap-bare']:.2f}x; this checkout's aisbx {medians['aisbx'] / medians['aisbx@against']:.2f}x "
                  f"of it, ./aisbx {medians['./aisbx'] / medians['./aisbx@against']:.2f}x")
    finally:
        for name in ("config", "against"):
            stop_resident_server(os.path.join(scratch, name))
        shutil.rmtree(scratch, ignore_errors=True)


def resident_server(config):
    """The pid of the resident server of a config directory, or None."""
    found = subprocess.run(["pgrep", "-f", "--", f"--config {config} resident"], capture_output=True, text=True).stdout.split()
    return int(found[0]) if found else None


def process_cpu(pid):
    """CPU milliseconds of a process and of the children it reaped (its sandboxes), from /proc/PID/stat."""
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) * 1000.0 / os.sysconf("SC_CLK_TCK")


def stop_resident_server(config):
    if config and (pid := resident_server(config)):
        os.kill(pid, 15)


if __name__ == "__main__":
    main()
