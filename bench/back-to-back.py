#!/usr/bin/env python3
"""./aisbx run -- /bin/true back to back, as a loop in a shell or hyperfine would run it, against bare bubblewrap.

    bench/back-to-back.py [RUNS] [ROUNDS]        (default 100 runs, 2 rounds)

Each round runs RUNS bare bubblewraps one after another, then RUNS of the checkout's ./aisbx run, with nothing
between them (bench/startup.py interleaves its variants instead, which leaves the resident server time to replace
each used sandbox between two runs). Prints the medians, p90s and their ratio per round.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

from sandbox_command import BARE, ensure_trees, ROOT, build, percentile, scratch_config, spawn_and_wait

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 100
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 2


def main():
    aisbx = build()
    scratch = tempfile.mkdtemp(prefix="aisbx-bench-")
    config, _ = scratch_config(scratch)
    try:
        ensure_trees(aisbx, config, "default")
        wrapper = [os.path.join(ROOT, "aisbx"), "--config", config, "run", "--", "/bin/true"]
        devnull = os.open(os.devnull, os.O_RDONLY)
        stdin = [(os.POSIX_SPAWN_DUP2, devnull, 0)]
        for _ in range(3):
            spawn_and_wait(wrapper, stdin)  # the first starts the resident server
        for round_number in range(ROUNDS):
            bare = sorted(spawn_and_wait(BARE, stdin) / 1e6 for _ in range(RUNS))
            ours = sorted(spawn_and_wait(wrapper, stdin) / 1e6 for _ in range(RUNS))
            print(f"round {round_number + 1}: bare bubblewrap median {statistics.median(bare):6.2f} ms p90 {percentile(bare, 0.9):6.2f} | "
                  f"./aisbx run median {statistics.median(ours):6.2f} ms p90 {percentile(ours, 0.9):6.2f} | "
                  f"{statistics.median(ours) / statistics.median(bare):.2f}x")
    finally:
        found = subprocess.run(["pgrep", "-f", "--", f"--config {config} resident"], capture_output=True, text=True).stdout.split()
        for pid in found:
            os.kill(int(pid), 15)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
