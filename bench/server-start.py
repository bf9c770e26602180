#!/usr/bin/env python3
"""aisbx-mcp from its start to its first tool result, over stdio and over HTTP, paired with bare bubblewrap.

    bench/server-start.py [RUNS] [NAME=SERVER ...]        (default 30 runs of .build/aisbx/aisbx-mcp)

Given NAME=SERVER pairs (e.g. before=/tmp/old/aisbx-mcp after=.build/aisbx/aisbx-mcp), each server is measured in
the same rounds, so that a change is measured before and after in one paired run.

Each round, in rotating order, starts a fresh server and times from its spawn:
  stdio   .build/aisbx/aisbx-mcp --config <scratch>: to the initialize reply (ready), then to the result of the
          first tools/call of aisbx-run {"command": ["/bin/true"]} (first result)
  http    the same with --transport http --port P: to the first initialize POST answered (connection attempts
          repeat every 0.2 ms until the server listens), then the first tools/call in that session
  bare    bare bubblewrap's /bin/true (the bare argv of bench/startup.py), from spawn to reaped: the bar
and stops it (stdin closed, or SIGTERM). It prints medians and p90s, and the medians as multiples of bare bwrap's.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from sandbox_command import ensure_trees, BUILD, build, percentile, scratch_config, spawn_and_wait

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
SERVERS = dict(arg.split("=", 1) for arg in sys.argv[2:]) or {"aisbx-mcp": os.path.join(BUILD, "aisbx-mcp")}

BARE_ARGV = ["/usr/bin/bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr",
             "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
             "--proc", "/proc", "--dev", "/dev", "/bin/true"]
INITIALIZE = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}
# No workdir: a fresh workspace, as an agent's call gets by default.
CALL = {"name": "aisbx-run", "arguments": {"command": ["/bin/true"]}}


def checked(reply):
    if reply.get("result", {}).get("structuredContent", {}).get("exitCode") != 0:
        raise SystemExit(f"aisbx-run failed: {reply}")


def stdio_round(server, config):
    """(ready, first result) in ms, from spawn."""
    start = time.perf_counter_ns()
    process = subprocess.Popen([server, "--config", config], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def request(id_, method, params):
        process.stdin.write(json.dumps({"jsonrpc": "2.0", "id": id_, "method": method, "params": params}) + "\n")
        process.stdin.flush()
        while True:
            line = process.stdout.readline()
            if not line:
                raise SystemExit(f"aisbx-mcp exited ({process.wait()}) before it answered {method}")
            message = json.loads(line)
            if message.get("id") == id_:
                return message

    try:
        request(1, "initialize", INITIALIZE)
        ready = time.perf_counter_ns()
        process.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
        checked(request(2, "tools/call", CALL))
        first = time.perf_counter_ns()
    finally:
        process.stdin.close()
        process.wait(timeout=30)
    return (ready - start) / 1e6, (first - start) / 1e6


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post(connection, body, session):
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if session:
        headers["Mcp-Session-Id"] = session
    connection.request("POST", "/mcp", json.dumps(body), headers)
    response = connection.getresponse()
    text = response.read().decode()
    if response.status >= 300:
        raise SystemExit(f"POST /mcp answered {response.status}: {text}")
    # Streamable HTTP answers JSON or an event stream whose data line carries the reply.
    messages = [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:")] if text.startswith(("event:", "data:", "id:")) \
        else [json.loads(text)] if text else []
    return response.getheader("Mcp-Session-Id") or session, next((m for m in messages if m.get("id") == body.get("id")), None)


def http_round(server, config):
    """(ready, first result) in ms, from spawn."""
    port = free_port()
    start = time.perf_counter_ns()
    process = subprocess.Popen([server, "--config", config, "--transport", "http", "--port", str(port)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.connect()
                break
            except ConnectionRefusedError:
                connection.close()
                if process.poll() is not None:
                    raise SystemExit(f"aisbx-mcp exited ({process.returncode}) before it listened")
                time.sleep(0.0002)
        session, _ = post(connection, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": INITIALIZE}, None)
        ready = time.perf_counter_ns()
        post(connection, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
        _, reply = post(connection, {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": CALL}, session)
        checked(reply)
        first = time.perf_counter_ns()
        connection.close()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    return (ready - start) / 1e6, (first - start) / 1e6


def main():
    aisbx = build()
    scratch = tempfile.mkdtemp(prefix="aisbx-bench-start-")
    try:
        config, workdir = scratch_config(scratch)
        ensure_trees(aisbx, config, "default")
        subprocess.run([aisbx, "--config", config, "run", "-w", workdir, "--", "/bin/true"], check=True, stdin=subprocess.DEVNULL)
        devnull = os.open(os.devnull, os.O_RDONLY)
        stdin = [(os.POSIX_SPAWN_DUP2, devnull, 0)]
        prefix = (lambda name: name + " ") if len(SERVERS) > 1 else (lambda name: "")
        times = {}
        variants = []

        def server_variant(name, server, transport, round_):
            ready, first = times.setdefault(f"{prefix(name)}{transport} ready", []), times.setdefault(f"{prefix(name)}{transport} first result", [])

            def run():
                at_ready, at_first = round_(os.path.abspath(server), config)
                ready.append(at_ready)
                first.append(at_first)
            return run

        for name, server in SERVERS.items():
            variants.append(server_variant(name, server, "stdio", stdio_round))
            variants.append(server_variant(name, server, "http", http_round))
        bare_times = times.setdefault("bare bwrap", [])
        variants.append(lambda: bare_times.append(spawn_and_wait(BARE_ARGV, stdin) / 1e6))

        for variant in variants:  # warm-up: the page cache, the built tree
            variant()
        for values in times.values():
            values.clear()
        for i in range(RUNS):
            for variant in variants[i % len(variants):] + variants[:i % len(variants)]:
                variant()

        print(f"runs: {RUNS} each, interleaved; {os.cpu_count()} cores; uid {os.geteuid()}")
        medians = {}
        for name, values in times.items():
            ordered = sorted(values)
            medians[name] = statistics.median(ordered)
            print(f"{name:<28} median {medians[name]:8.2f} ms   p90 {percentile(ordered, 0.9):8.2f} ms")
        bare_median = medians["bare bwrap"]
        for name in list(times)[:-1]:
            print(f"{name:<28} {medians[name] / bare_median:6.1f}x bare bwrap")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
