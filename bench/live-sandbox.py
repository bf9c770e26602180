#!/usr/bin/env python3
"""Live sandboxes: an exec's latency, a creation's, and what an idle sandbox costs the host, in one run.

    bench/live-sandbox.py [CALLS] [IDLE]        (defaults 200 and 100)

Starts aisbx-mcp twice from the build (HTTP on 127.0.0.1, open, private config; and stdio), then interleaves:
  bwrap-bare   bare bubblewrap running /bin/true, every namespace, /usr read-only (the bar)
  one-shot     POST /v1/runs {"command": ["/bin/true"]}: a fresh sandbox per call
  rest-exec    POST /v1/sandboxes/ID/exec {"command": ["/bin/true"]} in one live sandbox (HTTP keep-alive)
  mcp-exec     tools/call aisbx-sandbox-exec over stdio, in one live sandbox
  create       POST /v1/sandboxes then DELETE (the create is timed; its close is not)
Then creates IDLE sandboxes, measures each one's host memory (the outer bubblewrap, its init and the agent: RSS
and PSS from /proc/PID/smaps_rollup, and the sandbox cgroup's own count), and runs /bin/true in every one of them.
"""
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from sandbox_command import BARE, BUILD, TREES, Rest, build, ensure_trees, percentile, serve, spawn_and_wait, timed
sys.path.insert(0, os.path.dirname(__file__))
from importlib import import_module
StdioClient = import_module("mcp-latency").StdioClient

CALLS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
IDLE = int(sys.argv[2]) if len(sys.argv) > 2 else 100


def memory_of(sandbox_id):
    """RSS and PSS (KiB) of the sandbox's processes: those in its memory cgroup, and the outer bubblewrap, their parent."""
    pids = set()
    for root in ("/sys/fs/cgroup/memory", "/sys/fs/cgroup"):
        procs = os.path.join(root, sandbox_id, "cgroup.procs")
        for found, _, files in os.walk(os.path.join(root)):
            if os.path.basename(found) == sandbox_id and "cgroup.procs" in files:
                procs = os.path.join(found, "cgroup.procs")
                break
        if os.path.exists(procs):
            pids.update(int(p) for p in open(procs).read().split())
            break
    for pid in list(pids):
        pids.add(int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1]))  # the parent: the outer bubblewrap
    rss = pss = private = 0
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/smaps_rollup"):
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith(("Private_Clean:", "Private_Dirty:")):
                    private += int(line.split()[1])
        except OSError:
            pass
    return rss, pss, len(pids), private


def main():
    aisbx = build()
    scratch = tempfile.mkdtemp(prefix="aisbx-bench-live-")
    config = os.path.join(scratch, "config")
    os.makedirs(config)
    with open(os.path.join(config, "config.toml"), "w") as f:
        f.write(f"[server]\nrequests_per_minute = 1000000\nmax_running = 64\nmax_running_per_key = 64\n"
                f"[sandboxes]\nmax_per_caller = {IDLE + 5}\nmax_total = {IDLE + 5}\ncreations_per_minute = 100000\n{TREES}")
    ensure_trees(aisbx, config, "default")
    server, port = serve(config)
    rest = Rest(port)
    stdio = StdioClient([os.path.join(BUILD, "aisbx-mcp"), "--config", config])
    try:
        stdio.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}})
        stdio.notify("notifications/initialized")
        _, created = rest.call("POST", "/v1/sandboxes", {})
        live = created["sandboxId"]
        reply = stdio.request("tools/call", {"name": "aisbx-sandbox-create", "arguments": {}})
        mcp_live = reply["result"]["structuredContent"]["sandboxId"]
        devnull = [(os.POSIX_SPAWN_DUP2, os.open(os.devnull, os.O_RDONLY), 0)]

        def rest_exec():
            status, result = rest.call("POST", f"/v1/sandboxes/{live}/exec", {"command": ["/bin/true"]})
            assert status == 200 and result["exitCode"] == 0, result

        def mcp_exec():
            result = stdio.request("tools/call", {"name": "aisbx-sandbox-exec", "arguments": {"sandboxId": mcp_live, "command": ["/bin/true"]}})
            assert result["result"]["structuredContent"]["exitCode"] == 0, result

        def one_shot():
            status, result = rest.call("POST", "/v1/runs", {"command": ["/bin/true"]})
            assert status == 200 and result["exitCode"] == 0, result

        creates = []

        def create():
            start = time.perf_counter_ns()
            status, made = rest.call("POST", "/v1/sandboxes", {})
            creates.append((time.perf_counter_ns() - start) / 1e6)
            assert status == 201, made
            rest.call("DELETE", f"/v1/sandboxes/{made['sandboxId']}")

        variants = {"bwrap-bare": lambda: spawn_and_wait(BARE, devnull) / 1e6, "one-shot": lambda: timed(one_shot),
                    "rest-exec": lambda: timed(rest_exec), "mcp-exec": lambda: timed(mcp_exec)}
        for _ in range(20):
            for run in variants.values():
                run()
            create()
        creates.clear()
        times = {name: [] for name in variants}
        names = list(variants)
        for i in range(CALLS):
            for name in names[i % len(names):] + names[:i % len(names)]:
                times[name].append(variants[name]())
            if i % 4 == 0:
                create()
        times["create"] = creates

        bare = statistics.median(times["bwrap-bare"])
        print(f"calls: {CALLS} each, interleaved (create every 4th round); {os.cpu_count()} cores; uid {os.geteuid()}")
        print(f"{'what':<12} {'median ms':>10} {'p90 ms':>8} {'x bare bwrap':>13}")
        for name, values in times.items():
            values.sort()
            print(f"{name:<12} {statistics.median(values):>10.2f} {percentile(values, 0.9):>8.2f} {statistics.median(values) / bare:>13.2f}")

        idle = []
        for _ in range(IDLE):
            status, made = rest.call("POST", "/v1/sandboxes", {})
            assert status == 201, made
            idle.append(made["sandboxId"])
        time.sleep(1)
        samples = [memory_of(sandbox) for sandbox in idle]
        answered = sum(1 for sandbox in idle if rest.call("POST", f"/v1/sandboxes/{sandbox}/exec", {"command": ["/bin/true"]})[1]["exitCode"] == 0)
        server_rss = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{server.pid}/status").read()).group(1))
        statuses = [rest.call("GET", f"/v1/sandboxes/{sandbox}")[1] for sandbox in idle[:10]]
        cgroup = statistics.median(s["memoryBytes"] for s in statuses if s.get("memoryBytes")) / 1024 if statuses else 0
        print(f"\nidle sandboxes: {IDLE} at once; {answered} of {IDLE} answered an exec afterwards")
        print(f"per idle sandbox (median): RSS {statistics.median(s[0] for s in samples) / 1024:.2f} MiB, "
              f"PSS {statistics.median(s[1] for s in samples) / 1024:.2f} MiB, private {statistics.median(s[3] for s in samples) / 1024:.2f} MiB "
              f"over {statistics.median(s[2] for s in samples):.0f} processes "
              f"(bubblewrap outside, its init, the agent); its cgroup counts {cgroup / 1024:.2f} MiB")
        print(f"the server itself: RSS {server_rss / 1024:.1f} MiB with {IDLE + 1} live sandboxes")
        for sandbox in idle + [live]:
            rest.call("DELETE", f"/v1/sandboxes/{sandbox}")
    finally:
        stdio.close()
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(["rm", "-rf", scratch])


if __name__ == "__main__":
    main()
