#!/usr/bin/env python3
"""The egress proxy end to end, from inside a real sandbox, paired in one run against the same client on the host.

  bench/egress-sandbox.py [RUNS] [MIB]

An upstream on 127.0.0.2 (exempt for this bench, reached inside through the name bench.test): each side runs curl
RUNS times for a small answer (time to the first byte: connect, the proxy's decision and its upstream connect,
the request) and once for MIB MiB of zeros (throughput). The host side goes direct, the sandbox through its
proxy (127.0.0.1:3128 inside, plain HTTP forwarding and CONNECT). The bubblewrap start is not in the figures:
every request of a side is made by one curl process loop inside one run. Medians and ratios.
"""
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading

from sandbox_command import TREES, build, ensure_trees

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
MIB = int(sys.argv[2]) if len(sys.argv) > 2 else 2048
CHUNK = b"\0" * (1 << 20)


def serve(listener):
    while True:
        client, _ = listener.accept()
        threading.Thread(target=answer, args=(client,), daemon=True).start()


def answer(client):
    with client:
        head = b""
        while b"\r\n\r\n" not in head:
            data = client.recv(65536)
            if not data:
                return
            head += data
        path = head.split(b" ")[1].decode()
        size = int(path.rsplit("/", 1)[1]) if path.startswith("/bytes/") else 2
        client.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n".encode())
        while size > 0:
            n = min(size, len(CHUNK))
            client.sendall(CHUNK[:n])
            size -= n


def curl_loop(prefix, url, runs, extra=""):
    """A shell loop of curl: one line of time-to-first-byte (seconds) per request."""
    return f"i=0; while [ $i -lt {runs} ]; do curl -s {extra} -o /dev/null -w '%{{time_starttransfer}}\\n' {url}; i=$((i+1)); done"


def main():
    aisbx = build()
    listener = socket.create_server(("127.0.0.2", 0))
    port = listener.getsockname()[1]
    threading.Thread(target=serve, args=(listener,), daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="aisbx-bench-egress-") as scratch:
        config = os.path.join(scratch, "config")
        os.makedirs(os.path.join(config, "profiles"))
        with open(os.path.join(config, "config.toml"), "w") as f:
            f.write(f'{TREES}\n[egress]\nexempt = ["127.0.0.2/32"]\n\n[egress.hosts]\n"bench.test" = ["127.0.0.2"]\n')
        with open(os.path.join(config, "profiles", "bench.toml"), "w") as f:
            f.write(f'extends = "python-dev"\ndescription = "bench"\n\n[network]\nmode = "allowlist"\nallow = ["bench.test:{port}"]\n'
                    f'max_bytes = "64G"\nmax_connections = 100000\n\n[limits]\nwall_time = "10m"\n')
        ensure_trees(aisbx, config, "python-dev")

        def inside(script):
            done = subprocess.run([aisbx, "--config", config, "run", "-p", "bench", "--", "sh", "-c", script],
                                  check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL)
            return done.stdout

        def host(script):
            return subprocess.run(["sh", "-c", script], check=True, capture_output=True, text=True).stdout

        direct_url = f"http://127.0.0.2:{port}/small"
        sandbox_url = f"http://bench.test:{port}/small"
        rows = {}
        # Interleaved halves, so that a slow moment of the machine falls on both sides.
        for half in range(2):
            rows.setdefault("direct", []).extend(map(float, host(curl_loop("", direct_url, RUNS // 2)).split()))
            rows.setdefault("proxied (GET)", []).extend(map(float, inside(curl_loop("", sandbox_url, RUNS // 2)).split()))
            rows.setdefault("proxied (CONNECT)", []).extend(map(float, inside(curl_loop("", sandbox_url, RUNS // 2, "-p")).split()))
        base = statistics.median(rows["direct"])
        print(f"time to first byte, median of {RUNS} (one curl per request):")
        for name, values in rows.items():
            median = statistics.median(values)
            print(f"  {name:18} {median * 1e3:7.3f} ms   {median / base:5.2f}x   +{(median - base) * 1e3:6.3f} ms")

        size = MIB << 20
        direct = float(host(f"curl -s -o /dev/null -w '%{{speed_download}}' http://127.0.0.2:{port}/bytes/{size}"))
        tunnel = float(inside(f"curl -s -p -o /dev/null -w '%{{speed_download}}' http://bench.test:{port}/bytes/{size}"))
        forward = float(inside(f"curl -s -o /dev/null -w '%{{speed_download}}' http://bench.test:{port}/bytes/{size}"))
        print(f"throughput, {MIB} MiB, one connection:")
        for name, speed in [("direct", direct), ("proxied (CONNECT)", tunnel), ("proxied (GET)", forward)]:
            print(f"  {name:18} {speed / 1e9:6.2f} GB/s   {speed / direct:5.2f}x")


if __name__ == "__main__":
    main()
