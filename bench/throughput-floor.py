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
import threading
import time

from sandbox_command import BwrapCommand, build, ensure_trees, scratch_config, spawn_and_wait

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 5
BARE = ["/usr/bin/bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--proc", "/proc", "--dev", "/dev", "/bin/true"]


def rate(clients, work):
    """Runs per second of `clients` threads each calling work() back to back for SECONDS."""
    done = [0] * clients
    stop = time.monotonic() + SECONDS

    def loop(i):
        while time.monotonic() < stop:
            work()
            done[i] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - start)


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
            ("bare bubblewrap", lambda: spawn_and_wait(BARE, stdin)),
            ("aisbx's command", lambda: command.run(with_launcher=False)),
            ("+ launcher", lambda: command.run(with_launcher=True)),
        ]
        for _, work in variants:
            work()
        print(f"runs per second, {SECONDS:g} s per phase, /bin/true back to back; {os.cpu_count()} cores; uid {os.getuid()}")
        print(f"  {'clients':>7}  " + "  ".join(f"{name:>16}" for name, _ in variants) + "  ratios to bare")
        for clients in (1, 4, 8):
            rates = [rate(clients, work) for _, work in variants]
            ratios = "  ".join(f"{r / rates[0]:.2f}" for r in rates[1:])
            print(f"  {clients:>7}  " + "  ".join(f"{r:>16.1f}" for r in rates) + f"  {ratios}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
