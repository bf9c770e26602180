#!/usr/bin/env python3
"""The egress proxy against direct connections on loopback, in one run (the engine alone, no sandbox).

    bench/egress.py [SETUPS] [GIB] [ROUNDS]        (defaults 500, 2 and 3)

Runs bench/egress (a console program that compiles the proxy's sources) in Release. It pairs, interleaved:
  setup       connect + the server's first byte, direct / connect + CONNECT + 200 + first byte through the proxy
              (the name resolved by the test override, checked by the guard, pinned): medians of SETUPS
  throughput  a server writes GIB GiB and closes, the client reads to the end: direct, through the proxy splicing
              (the default), and through the proxy copying: medians of ROUNDS
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.exit(subprocess.run(["dotnet", "run", "-c", "Release", "--project", os.path.join(ROOT, "bench", "egress"), "--", *sys.argv[1:]]).returncode)
