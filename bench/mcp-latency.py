#!/usr/bin/env python3
"""Latency of an aisbx-run tool call of /bin/true over stdio, against the same bubblewrap command run directly.

    bench/mcp-latency.py [CALLS]        (default 200)

Starts aisbx-mcp over stdio (JSON-RPC lines, as any client speaks it), initializes, warms up, then alternates:
  bwrap   aisbx's exact bubblewrap command for /bin/true, with the launcher (from 'aisbx run --dry-run --json')
  mcp     one tools/call of aisbx-run {"command": ["/bin/true"]} (fresh workspace), timed from request to reply
and prints median and p99 of each and their ratio.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from sandbox_command import ensure_trees, BUILD, BwrapCommand, build, percentile, scratch_config

CALLS = int(sys.argv[1]) if len(sys.argv) > 1 else 200


class StdioClient:
    def __init__(self, argv):
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.next_id = 0

    def request(self, method, params):
        self.next_id += 1
        self.process.stdin.write(json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}) + "\n")
        self.process.stdin.flush()
        while True:
            message = json.loads(self.process.stdout.readline())
            if message.get("id") == self.next_id:
                return message

    def notify(self, method):
        self.process.stdin.write(json.dumps({"jsonrpc": "2.0", "method": method}) + "\n")
        self.process.stdin.flush()

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


def main():
    aisbx = build()
    scratch = tempfile.mkdtemp(prefix="aisbx-bench-mcp-")
    try:
        config, workdir = scratch_config(scratch)
        ensure_trees(aisbx, config, "default")
        subprocess.run([aisbx, "--config", config, "run", "-w", workdir, "--", "/bin/true"], check=True, stdin=subprocess.DEVNULL)
        bwrap = BwrapCommand(aisbx, config, workdir, scratch)
        client = StdioClient([os.path.join(BUILD, "aisbx-mcp"), "--config", config])
        client.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}})
        client.notify("notifications/initialized")
        # No workdir: a fresh workspace, as an agent's call gets by default (a root-owned workdir would add its
        # hand-over to the sandbox uid: a journal fsync and two walks, see bench/workdir-handover.py).
        call = {"name": "aisbx-run", "arguments": {"command": ["/bin/true"]}}

        def mcp():
            start = time.perf_counter_ns()
            reply = client.request("tools/call", call)
            elapsed = time.perf_counter_ns() - start
            if reply["result"]["structuredContent"]["exitCode"] != 0:
                raise SystemExit(f"aisbx-run failed: {reply}")
            return elapsed

        for _ in range(20):  # warm-up: the server's JIT, the filter cache, the page cache
            mcp()
            bwrap.run(True)
        times = {"bwrap": [], "mcp": []}
        for i in range(CALLS):
            order = [("bwrap", lambda: bwrap.run(True)), ("mcp", mcp)]
            for name, run in order if i % 2 == 0 else order[::-1]:
                times[name].append(run() / 1e6)
        client.close()

        print(f"calls: {CALLS} each, interleaved; {os.cpu_count()} cores; uid {os.geteuid()}")
        medians = {}
        for name, label in (("bwrap", "bwrap (aisbx's command, with launcher)"), ("mcp", "aisbx-run over stdio")):
            ordered = sorted(times[name])
            medians[name] = statistics.median(ordered)
            print(f"{label:<40} median {medians[name]:7.2f} ms   p99 {percentile(ordered, 0.99):7.2f} ms")
        p99 = {name: percentile(sorted(values), 0.99) for name, values in times.items()}
        print(f"aisbx-run / bwrap: median {medians['mcp'] / medians['bwrap']:.2f}x (+{medians['mcp'] - medians['bwrap']:.2f} ms), "
              f"p99 {p99['mcp'] / p99['bwrap']:.2f}x (+{p99['mcp'] - p99['bwrap']:.2f} ms)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
