#!/usr/bin/env python3
"""The warm pool: a pooled one-shot tool call of /bin/true, and runs per second under load, against bare bubblewrap.

    bench/pool.py [CALLS] [SECONDS]        (defaults 100 and 5)

Latency: one aisbx-mcp over stdio and one over HTTP (pool size 2, default profile), warmed up; then rounds that
interleave bare bubblewrap's /bin/true, an aisbx-run tools/call over stdio and a POST /v1/runs over HTTP, each
timed from request to reply. A tool call arrives at a waiting sandbox here the way an agent's do (seconds apart):
each round waits until the pool is full again; the HTTP server's metrics count the hits, and only hits are quoted.

Idle: with both pools full, the CPU the HTTP server and its waiting sandboxes use over 10 s of nothing.

Throughput: N clients (1, 4, 8) each run /bin/true back to back for SECONDS: bare bubblewrap (N threads spawning
it) and aisbx (N HTTP clients calling POST /v1/runs of one server), alternating, so both see the same machine.
Prints runs per second and the ratio; the pool's hits and misses (by reason) over each aisbx phase.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from importlib import import_module
from sandbox_command import BARE, BUILD, TREES, Rest, build, ensure_trees, percentile, runs_per_second, serve, spawn_and_wait, timed

StdioClient = import_module("mcp-latency").StdioClient

CALLS = int(sys.argv[1]) if len(sys.argv) > 1 else 100
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 5


class PoolRest(Rest):
    def run_true(self):
        status, data = self.call_raw("POST", "/v1/runs", {"command": ["/bin/true"]})
        if status != 200 or json.loads(data)["exitCode"] != 0:
            raise SystemExit(f"POST /v1/runs failed: {status} {data[:300]}")

    def pool(self):
        """(ready in the default profile's pool, hits, misses by reason) from /metrics."""
        _, data = self.call_raw("GET", "/metrics")
        text = data.decode()
        ready = re.search(r'aisbx_pool_ready\{profile="default"\} (\S+)', text)
        hits = re.search(r"^aisbx_pool_hits_total (\S+)", text, re.M)
        misses = {m.group(1): float(m.group(2)) for m in re.finditer(r'aisbx_pool_misses_total\{reason="([^"]+)"\} (\S+)', text)}
        return (float(ready.group(1)) if ready else 0), float(hits.group(1)) if hits else 0, misses


def wait_full(rest, size=2):
    giveUp = time.monotonic() + 10
    while rest.pool()[0] < size:
        if time.monotonic() > giveUp:
            raise SystemExit("the pool did not refill in 10 s")
        time.sleep(0.005)


def cpu_seconds(pid):
    """CPU time of a process (all its threads) and of every waiting sandbox's cgroup (cpuacct, cgroup v1 here)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    sandboxes = 0.0
    base = "/sys/fs/cgroup/cpuacct/aisbx"
    for name in os.listdir(base) if os.path.isdir(base) else []:
        try:
            sandboxes += int(open(os.path.join(base, name, "cpuacct.usage")).read()) / 1e9
        except OSError:
            pass
    return own, sandboxes


def main():
    aisbx = build()
    scratch = tempfile.mkdtemp(prefix="aisbx-bench-pool-")
    config = os.path.join(scratch, "config")
    os.makedirs(config)
    with open(os.path.join(config, "config.toml"), "w") as f:
        f.write(f"[server]\nrequests_per_minute = 1000000\nmax_running = 64\nmax_running_per_key = 64\n[pool]\nsize = 2\n{TREES}")
    ensure_trees(aisbx, config, "default")
    server, port = serve(config)
    stdio = StdioClient([os.path.join(BUILD, "aisbx-mcp"), "--config", config])
    devnull = [(os.POSIX_SPAWN_DUP2, os.open(os.devnull, os.O_RDONLY), 0)]
    try:
        stdio.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}})
        stdio.notify("notifications/initialized")
        rest = PoolRest(port)
        call = {"name": "aisbx-run", "arguments": {"command": ["/bin/true"]}}

        def mcp_stdio():
            reply = stdio.request("tools/call", call)
            if reply["result"]["structuredContent"]["exitCode"] != 0:
                raise SystemExit(f"aisbx-run failed: {reply}")

        # Latency: warm up (JIT, filter cache, both pools filled), then interleaved rounds at a full pool.
        for _ in range(10):
            spawn_and_wait(BARE, devnull)
            mcp_stdio()
            rest.run_true()
            time.sleep(0.1)
        _, hits_before, misses_before = rest.pool()
        times = {"bwrap-bare": [], "mcp-stdio": [], "rest-http": []}
        variants = {"bwrap-bare": lambda: spawn_and_wait(BARE, devnull) / 1e6, "mcp-stdio": lambda: timed(mcp_stdio), "rest-http": lambda: timed(rest.run_true)}
        names = list(variants)
        for i in range(CALLS):
            for name in names[i % len(names):] + names[:i % len(names)]:
                # Each call alone on the machine: the previous call's replacement sandbox has started (the stdio
                # server's pool refills in the same time as the HTTP one's; it has no metrics to ask).
                wait_full(rest)
                time.sleep(0.08)
                times[name].append(variants[name]())
        _, hits_after, misses_after = rest.pool()
        http_misses = sum(misses_after.values()) - sum(misses_before.values())
        bare = statistics.median(times["bwrap-bare"])
        print(f"pooled tool calls: {CALLS} rounds, interleaved, at a full pool; {os.cpu_count()} cores; uid {os.geteuid()}")
        print(f"  HTTP pool over the rounds: {hits_after - hits_before:.0f} hits, {http_misses:.0f} misses")
        print(f"  {'what':<12} {'median ms':>10} {'p90 ms':>8} {'x bare bwrap':>13}")
        for name, values in times.items():
            values.sort()
            print(f"  {name:<12} {statistics.median(values):>10.2f} {percentile(values, 0.9):>8.2f} {statistics.median(values) / bare:>13.2f}")

        # Idle: nothing happens for 10 s; what does a server with a full pool spend?
        wait_full(rest)
        time.sleep(1)
        own0, sandboxes0 = cpu_seconds(server.pid)
        time.sleep(10)
        own1, sandboxes1 = cpu_seconds(server.pid)
        print(f"\nidle 10 s with a full pool: the server used {(own1 - own0) * 1000:.0f} ms of CPU, its waiting sandboxes {(sandboxes1 - sandboxes0) * 1000:.1f} ms")

        # Throughput: N clients back to back, bare bubblewrap and aisbx over HTTP alternating.
        print(f"\nthroughput: {SECONDS:.0f} s per phase, /bin/true back to back")
        print(f"  {'clients':>7} {'bwrap runs/s':>13} {'aisbx runs/s':>13} {'ratio':>6}   pool hits / misses (reasons)")
        for clients in (1, 4, 8):
            connections = [PoolRest(port) for _ in range(clients)]
            bwrap_rate = runs_per_second(clients, SECONDS, lambda i: spawn_and_wait(BARE, devnull))
            _, hits0, misses0 = rest.pool()
            aisbx_rate = runs_per_second(clients, SECONDS, lambda i: connections[i].run_true())
            _, hits1, misses1 = rest.pool()
            reasons = {k: misses1.get(k, 0) - misses0.get(k, 0) for k in misses1 if misses1.get(k, 0) - misses0.get(k, 0) > 0}
            print(f"  {clients:>7} {bwrap_rate:>13.1f} {aisbx_rate:>13.1f} {aisbx_rate / bwrap_rate:>6.2f}   "
                  f"{hits1 - hits0:.0f} / {sum(reasons.values()):.0f} {reasons or ''}")
            time.sleep(0.5)
    finally:
        stdio.close()
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(["rm", "-rf", scratch])


if __name__ == "__main__":
    main()
