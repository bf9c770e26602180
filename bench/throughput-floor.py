#!/usr/bin/env python3
"""The floor under aisbx's throughput: runs per second of aisbx's own bubblewrap command, against bare bubblewrap.

    bench/throughput-floor.py [SECONDS]        (default 5 per phase)

N threads (1, 4, 8) each start /bin/true back to back for SECONDS: bare bubblewrap (bench/pool.py's command), then
aisbx's exact command for the default profile (from 'aisbx run --dry-run --json': its mounts, namespaces, uid and
generated files) without the launcher, then with it (the seccomp filter installed, its listener handed over), all
alternating in one run. No server, no cgroup, no warm pool, no audit: whatever aisbx adds on top of these, its runs
per second can only be lower. This is what the throughput bar of issue 13 (>= 0.8x bare bubblewrap) is up against.
"""
import os
import shutil
import subprocess
import sys
import tempfile

from sandbox_command import BARE, BwrapCommand, build, ensure_trees, runs_per_second, scratch_config, spawn_and_wait

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 5


def main():
    aisbx = build()
    scratch = tempfile.mkdtemp(prefix="aisbx-bench-floor-")
    try:
        config, workdir = scratch_config(scratch)
        ensure_trees(aisbx, config, "default")
        # One real run first: it lets the unprivileged uid traverse to the scratch workdir (the command binds it).
        subprocess.run([aisbx, "--config", config, "run", "-w", workdir, "--", "/bin/true"], check=True, stdin=subprocess.DEVNULL)
        command = BwrapCommand(aisbx, config, workdir, scratch)
        stdin = [(os.POSIX_SPAWN_DUP2, os.open(os.devnull, os.O_RDONLY), 0)]
        variants = [
            ("bare bubblewrap", lambda _: spawn_and_wait(BARE, stdin)),
            ("aisbx's command", lambda _: command.run(with_launcher=False)),
            ("+ launcher", lambda _: command.run(with_launcher=True)),
        ]
        for _, work in variants:
            work(0)
        print(f"runs per second, {SECONDS:g} s per phase, /bin/true back to back; {os.cpu_count()} cores; uid {os.getuid()}")
        print(f"  {'clients':>7}  " + "  ".join(f"{name:>16}" for name, _ in variants) + "  ratios to bare")
        for clients in (1, 4, 8):
            rates = [runs_per_second(clients, SECONDS, work) for _, work in variants]
            ratios = "  ".join(f"{r / rates[0]:.2f}" for r in rates[1:])
            print(f"  {clients:>7}  " + "  ".join(f"{r:>16.1f}" for r in rates) + f"  {ratios}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
