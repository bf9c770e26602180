"""What the benchmarks share: building aisbx, a scratch config, and aisbx's exact bubblewrap command, runnable."""
import ctypes
import fcntl
import http.client
import json
import os
import re
import socket
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What aisbx is compared with: bare bubblewrap with every namespace, /usr and nothing else, running /bin/true.
BARE = ["/usr/bin/bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--proc", "/proc", "--dev", "/dev", "/bin/true"]
BUILD = os.path.join(ROOT, ".build", "aisbx")


def build():
    """The same set-up as ./aisbx: install what is missing, build when stale."""
    subprocess.run(["bash", "-c", f"source '{ROOT}/scripts/setup.sh' && aisbx_setup"], check=True)
    return os.path.join(BUILD, "aisbx")


# CPU seconds (user + system) of the last spawn_and_wait: the process and every descendant it reaped, which for a
# sandbox start is all of it (bubblewrap, its init, the launcher, the program).
LAST_CPU = [0.0]


_LIBC = ctypes.CDLL(None, use_errno=True)
# x86-64 numbers of the raw credential syscalls, which change the calling thread only (glibc's change every thread).
_SETGROUPS, _SETRESUID, _SETRESGID = 116, 117, 119


def _leave_root_on_this_thread(uid, gid):
    for number, args in ((_SETGROUPS, (0, None)), (_SETRESGID, (gid, -1, -1)), (_SETRESUID, (uid, -1, -1))):
        if _LIBC.syscall(number, *args) != 0:
            raise OSError(ctypes.get_errno(), "changing this thread's ids")


def spawn_and_wait(argv, file_actions=(), run_as=None):
    """Nanoseconds from posix_spawn to reaped; fails loudly if the command did. With run_as (uid, gid), a root
    caller starts it as that uid and gid the way aisbx does (UnprivilegedSpawnScope): this thread's real ids for
    the spawn, POSIX_SPAWN_RESETIDS, root again after."""
    start = time.perf_counter_ns()
    if run_as is None:
        pid = os.posix_spawn(argv[0], argv, {}, file_actions=list(file_actions))
    else:
        groups = os.getgroups()
        _leave_root_on_this_thread(*run_as)
        try:
            pid = os.posix_spawn(argv[0], argv, {}, file_actions=list(file_actions), resetids=True)
        finally:
            _LIBC.syscall(_SETRESUID, 0, -1, -1)
            _LIBC.syscall(_SETRESGID, 0, -1, -1)
            _LIBC.syscall(_SETGROUPS, len(groups), (ctypes.c_uint * len(groups))(*groups) if groups else None)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter_ns() - start
    LAST_CPU[0] = usage.ru_utime + usage.ru_stime
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[0]} failed ({os.waitstatus_to_exitcode(status)}): {' '.join(argv)}")
    return elapsed


def scratch_config(scratch):
    """A config dir whose allowed workdir root is inside the scratch dir, and a workdir there."""
    config = os.path.join(scratch, "config")
    workdir = os.path.join(scratch, "work", "ws")
    os.makedirs(config)
    os.makedirs(workdir)
    with open(os.path.join(config, "config.toml"), "w") as f:
        f.write(f'[workdir]\nallowed_roots = ["{os.path.join(scratch, "work")}"]\n\n{TREES}')
    return config, workdir


# The built trees the test suite shares (./test.sh builds every built-in profile's): benches use the same ones.
TREES = (f'[rootfs]\nstore = "{os.path.join(ROOT, ".build", "test-trees", "rootfs")}"\n'
         f'cache = "{os.path.join(ROOT, ".build", "test-trees", "cache")}"\n')


def ensure_trees(aisbx, config, *profiles):
    """Builds the profiles' environments in the shared store when they are not built (a no-op otherwise)."""
    for profile in profiles:
        subprocess.run([aisbx, "--config", config, "build", "--profile", profile], check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)


class BwrapCommand:
    """aisbx's exact command for /bin/true (from 'aisbx run --dry-run --json'), startable with or without the launcher."""

    def __init__(self, aisbx, config, workdir, scratch):
        plan = json.loads(subprocess.run(
            [aisbx, "--config", config, "run", "-w", workdir, "--dry-run", "--json", "--", "/bin/true"],
            check=True, capture_output=True, text=True).stdout)
        self.plan = plan
        self.launched = plan["argv"]
        # The dry run shows a shell's way to leave root (setpriv); aisbx itself spawns bubblewrap with the ids set.
        self.run_as = None
        if os.path.basename(self.launched[0]) == "setpriv":
            options = self.launched[:self.launched.index("--")]
            ids = {o.split("=")[0]: int(o.split("=")[1]) for o in options if o.startswith(("--reuid=", "--regid="))}
            self.run_as = (ids["--reuid"], ids["--regid"])
            self.launched = self.launched[len(options) + 1:]
        at = len(self.launched) - 1 - self.launched[::-1].index(plan["launcher"])
        self.bare = self.launched[:at] + self.launched[at + 3:]
        self.data_paths = {}
        for data in plan["dataFiles"]:
            path = os.path.join(scratch, f"data{data['fd']}")
            with open(path, "w") as f:
                f.write(data["content"])
            self.data_paths[data["fd"]] = path
        self.devnull = os.open(os.devnull, os.O_RDONLY)

    def run(self, with_launcher):
        """Nanoseconds for one run. With the launcher, this process holds the socket's other end, as aisbx does."""
        fds = {fd: os.open(path, os.O_RDONLY) for fd, path in self.data_paths.items()}
        ours = theirs = None
        if with_launcher:
            fds[self.plan["payloadFd"]] = os.open(self.plan["payloadFile"], os.O_RDONLY)
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            fds[self.plan["handOffFd"]] = theirs.fileno()
        # Lift every source above the target numbers first, so that no dup2 overwrites a later one's source.
        lifted = {dst: fcntl.fcntl(src, fcntl.F_DUPFD_CLOEXEC, 100) for dst, src in fds.items()}
        actions = [(os.POSIX_SPAWN_DUP2, self.devnull, 0)] + [(os.POSIX_SPAWN_DUP2, src, dst) for dst, src in lifted.items()]
        try:
            return spawn_and_wait(self.launched if with_launcher else self.bare, actions, self.run_as)
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


def runs_per_second(clients, seconds, work):
    """Runs per second of `clients` threads each calling work(i) back to back for `seconds`."""
    done = [0] * clients
    stop = time.monotonic() + seconds

    def loop(i):
        while time.monotonic() < stop:
            work(i)
            done[i] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - start)


def percentile(ordered, fraction):
    return ordered[min(len(ordered) - 1, max(0, int(round(len(ordered) * fraction)) - 1))]


def interleaved(variants, runs, warmup, cpu=None):
    """Milliseconds of each variant: warm-up rounds first, then runs rounds, each in a rotating order. With a dict
    as cpu, each variant's CPU milliseconds (spawn_and_wait's LAST_CPU) go there too."""
    names = list(variants)
    for _ in range(warmup):
        for name in names:
            variants[name]()
    times = {name: [] for name in names}
    for i in range(runs):
        for name in names[i % len(names):] + names[:i % len(names)]:
            times[name].append(variants[name]() / 1e6)
            if cpu is not None:
                cpu.setdefault(name, []).append(LAST_CPU[0] * 1e3)
    return times


class Rest:
    """One keep-alive HTTP connection to an aisbx-mcp server's REST API on loopback."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port)

    def call_raw(self, method, path, body=None):
        self.connection.request(method, path, body=None if body is None else json.dumps(body), headers={"Content-Type": "application/json"})
        response = self.connection.getresponse()
        return response.status, response.read()

    def call(self, method, path, body=None):
        status, data = self.call_raw(method, path, body)
        return status, (json.loads(data) if data else None)


def serve(config):
    """aisbx-mcp over HTTP on a free loopback port: (the process, its port)."""
    server = subprocess.Popen([os.path.join(BUILD, "aisbx-mcp"), "--config", config, "--transport", "http", "--port", "0"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in server.stderr:
        match = re.search(r"serving MCP at http://127\.0\.0\.1:(\d+)/mcp", line)
        if match:
            # The server logs every request on stderr: keep reading it, or it blocks once the pipe is full.
            threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()
            return server, int(match.group(1))
    raise SystemExit("aisbx-mcp did not start")


def timed(run):
    """Milliseconds that run() took."""
    start = time.perf_counter_ns()
    run()
    return (time.perf_counter_ns() - start) / 1e6
