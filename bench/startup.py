#!/usr/bin/env python3
"""Start-up overhead of aisbx over bare bubblewrap, with the launcher's own cost shown apart, in one interleaved run.

    bench/startup.py [RUNS]        (default 200)

Each round runs, back to back and in rotating order, /bin/true as:
  exec             directly                                              (the machine's floor)
  bwrap            aisbx's exact bubblewrap command, minus the launcher  (setpriv + prlimit + bwrap, as aisbx runs them)
  bwrap+launcher   aisbx's exact command: the launcher installs the filter, hands its listener over a socket, execs
  aisbx            aisbx run -- /bin/true                                (policy, profile, workspace, cgroup, spawn, wait)
Every one is started the same way (posix_spawn from this process, timed from spawn to reaped), and the script
prints medians, p90s and the ratios of the medians. The commands come from 'aisbx run --dry-run --json'.
"""
import fcntl
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 200


def build():
    """The same set-up as ./aisbx: install what is missing, build when stale."""
    subprocess.run(["bash", "-c", f"source '{ROOT}/scripts/setup.sh' && aisbx_setup"], check=True)
    return os.path.join(ROOT, ".build", "aisbx", "aisbx")


def spawn_and_wait(argv, file_actions=()):
    start = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, {}, file_actions=list(file_actions))
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter_ns() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[0]} failed ({os.waitstatus_to_exitcode(status)}): {' '.join(argv)}")
    return elapsed


def main():
    aisbx = build()
    scratch = tempfile.mkdtemp(prefix="aisbx-bench-")
    try:
        config = os.path.join(scratch, "config")
        workdir = os.path.join(scratch, "work", "ws")
        os.makedirs(config)
        os.makedirs(workdir)
        with open(os.path.join(config, "config.toml"), "w") as f:
            f.write(f'[workdir]\nallowed_roots = ["{os.path.join(scratch, "work")}"]\n')
        aisbx_argv = [aisbx, "--config", config, "run", "-w", workdir, "--", "/bin/true"]

        # One real run first: it gives the unprivileged uid access to the scratch workdir, as every run does.
        subprocess.run(aisbx_argv, check=True, stdin=subprocess.DEVNULL)
        plan = json.loads(subprocess.run(
            [aisbx, "--config", config, "run", "-w", workdir, "--dry-run", "--json", "--", "/bin/true"],
            check=True, capture_output=True, text=True).stdout)
        launched = plan["argv"]
        at = len(launched) - 1 - launched[::-1].index(plan["launcher"])
        bare = launched[:at] + launched[at + 3:]

        data_paths = {}
        for data in plan["dataFiles"]:
            path = os.path.join(scratch, f"data{data['fd']}")
            with open(path, "w") as f:
                f.write(data["content"])
            data_paths[data["fd"]] = path

        def open_data(with_launcher):
            fds = {fd: os.open(path, os.O_RDONLY) for fd, path in data_paths.items()}
            if with_launcher:
                fds[plan["payloadFd"]] = os.open(plan["payloadFile"], os.O_RDONLY)
            return fds

        devnull = os.open(os.devnull, os.O_RDONLY)

        def run_bwrap(with_launcher):
            fds = open_data(with_launcher)
            ours = theirs = None
            if with_launcher:
                ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                fds[plan["handOffFd"]] = theirs.fileno()
            # Lift every source above the target numbers first, so that no dup2 overwrites a later one's source.
            lifted = {dst: fcntl.fcntl(src, fcntl.F_DUPFD_CLOEXEC, 100) for dst, src in fds.items()}
            actions = [(os.POSIX_SPAWN_DUP2, devnull, 0)] + [(os.POSIX_SPAWN_DUP2, src, dst) for dst, src in lifted.items()]
            try:
                return spawn_and_wait(launched if with_launcher else bare, actions)
            finally:
                for fd in lifted.values():
                    os.close(fd)
                for fd in fds.values():
                    if theirs is None or fd != theirs.fileno():
                        os.close(fd)
                if ours is not None:
                    theirs.close()
                    _, listeners, _, _ = socket.recv_fds(ours, 1, 1)
                    if len(listeners) != 1:
                        raise SystemExit("the launcher handed over no listener")
                    os.close(listeners[0])
                    ours.close()

        variants = {
            "exec": lambda: spawn_and_wait(["/bin/true"], [(os.POSIX_SPAWN_DUP2, devnull, 0)]),
            "bwrap": lambda: run_bwrap(False),
            "bwrap+launcher": lambda: run_bwrap(True),
            "aisbx": lambda: spawn_and_wait(aisbx_argv, [(os.POSIX_SPAWN_DUP2, devnull, 0)]),
        }
        names = list(variants)
        for _ in range(10):  # warm-up, not counted
            for name in names:
                variants[name]()
        times = {name: [] for name in names}
        for i in range(RUNS):
            order = names[i % len(names):] + names[:i % len(names)]
            for name in order:
                times[name].append(variants[name]() / 1e6)

        bwrap_version = subprocess.run(["bwrap", "--version"], capture_output=True, text=True).stdout.strip()
        print(f"runs: {RUNS} each, interleaved; {os.cpu_count()} cores; {bwrap_version}; user {os.getlogin() if os.isatty(0) else os.geteuid()}")
        medians = {}
        for name in names:
            ordered = sorted(times[name])
            medians[name] = statistics.median(ordered)
            print(f"{name:<15} median {medians[name]:7.2f} ms   p90 {ordered[int(len(ordered) * 0.9) - 1]:7.2f} ms")
        print(f"launcher:       +{medians['bwrap+launcher'] - medians['bwrap']:.2f} ms over bwrap "
              f"({medians['bwrap+launcher'] / medians['bwrap']:.2f}x)")
        print(f"aisbx / bwrap:  {medians['aisbx'] / medians['bwrap']:.2f}x (aisbx adds {medians['aisbx'] - medians['bwrap']:.2f} ms, "
              f"of which the launcher {medians['bwrap+launcher'] - medians['bwrap']:.2f} ms)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
