#!/usr/bin/env python3
"""What a built environment costs: runs in a built tree against runs on the host's /usr, and build times.

    bench/rootfs.py [RUNS] [--builds]     (default 100 runs; --builds also times cold, warm and no-op builds)

Runs, interleaved in rotating order, each started the same way (posix_spawn, timed from spawn to reaped):
  bwrap-bare        bare bubblewrap, /usr read-only, /bin/true            (the bar)
  tree true         aisbx run --profile python-dev -- /bin/true           (python-dev's built tree)
  host true         the same profile with rootfs = "host"                 (the host's /usr)
  tree python       aisbx run --profile python-dev -- python3 -c pass
  host python       the same on the host's /usr (the host's python3 is Debian's too)
--builds: python-dev into an empty store with an empty apt cache (cold), into an empty store with the cache of the
cold build (warm: nothing downloaded), and again into the warm store (no-op).
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from sandbox_command import BARE, TREES, build, ensure_trees, interleaved, percentile, spawn_and_wait

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100


def runs(aisbx, scratch):
    config = os.path.join(scratch, "config")
    os.makedirs(os.path.join(config, "profiles"))
    with open(os.path.join(config, "config.toml"), "w") as f:
        f.write(TREES)
    with open(os.path.join(config, "profiles", "python-host.toml"), "w") as f:
        f.write('extends = "python-dev"\ndescription = "python-dev on the host\'s /usr"\nrootfs = "host"\n')
    ensure_trees(aisbx, config, "python-dev")
    devnull = os.open(os.devnull, os.O_RDONLY)
    stdin = [(os.POSIX_SPAWN_DUP2, devnull, 0)]

    def run(profile, *command):
        return lambda: spawn_and_wait([aisbx, "--config", config, "run", "--profile", profile, "--", *command], stdin)

    variants = {
        "bwrap-bare": lambda: spawn_and_wait(BARE, stdin),
        "tree true": run("python-dev", "/bin/true"),
        "host true": run("python-host", "/bin/true"),
        "tree python": run("python-dev", "python3", "-c", "pass"),
        "host python": run("python-host", "python3", "-c", "pass"),
    }
    names = list(variants)
    times = interleaved(variants, RUNS, warmup=5)
    print(f"runs: {RUNS} each, interleaved; {os.cpu_count()} cores")
    medians = {}
    for name in names:
        ordered = sorted(times[name])
        medians[name] = statistics.median(ordered)
        print(f"{name:<12} median {medians[name]:7.2f} ms   p90 {percentile(ordered, 0.9):7.2f} ms")
    print(f"tree / host, /bin/true:  {medians['tree true'] / medians['host true']:.3f}x")
    print(f"tree / host, python3:    {medians['tree python'] / medians['host python']:.3f}x")
    print(f"tree true / bare bwrap:  {medians['tree true'] / medians['bwrap-bare']:.2f}x")


def timed_build(aisbx, config):
    start = time.perf_counter()
    subprocess.run([aisbx, "--config", config, "build", "--profile", "python-dev"], check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def builds(aisbx, scratch):
    def config_with(store, cache):
        config = os.path.join(scratch, "build-config-" + os.path.basename(store))
        os.makedirs(config, exist_ok=True)
        with open(os.path.join(config, "config.toml"), "w") as f:
            f.write(f'[rootfs]\nstore = "{store}"\ncache = "{cache}"\n')
        return config

    cache = os.path.join(scratch, "cache")
    cold = timed_build(aisbx, config_with(os.path.join(scratch, "store-cold"), cache))
    warm_config = config_with(os.path.join(scratch, "store-warm"), cache)
    warm = timed_build(aisbx, warm_config)
    noop = timed_build(aisbx, warm_config)
    print(f"python-dev build: cold {cold:.1f} s, warm cache {warm:.1f} s, no-op {noop * 1000:.0f} ms")


def main():
    aisbx = build()
    scratch = tempfile.mkdtemp(prefix="aisbx-bench-rootfs-")
    try:
        runs(aisbx, scratch)
        if "--builds" in sys.argv:
            builds(aisbx, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
