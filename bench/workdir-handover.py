#!/usr/bin/env python3
"""What a workdir costs a run as root: lending it to the sandbox uid and giving it back, against the alternatives.

    bench/workdir-handover.py [RUNS]        (default 30)

Each round runs `aisbx run -w DIR -- /bin/true`, interleaved, for:
  fresh            no workdir: a fresh workspace (the floor: nothing to lend)
  owner-N          DIR owned by uid 1234:1234 with N files: the sandbox runs as 1234 (nothing to lend)
  root-N           DIR owned by root with N files: lent to the sandbox uid before the run (journal written and
                   fsync'd, the tree walked and chowned) and given back after (walked and chowned again)
for N in 0, 1000 and 10000 (100 files per directory, like a source tree). The script prints medians and p90s, and
what lending costs per file. Needs root.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

from sandbox_command import ensure_trees, build, percentile, scratch_config, spawn_and_wait

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
SIZES = [0, 1000, 10000]
PER_DIRECTORY = 100


def tree(root, files, owner):
    os.makedirs(root)
    for i in range(files):
        directory = os.path.join(root, f"d{i // PER_DIRECTORY}")
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, f"f{i}.c"), "w") as f:
            f.write("int x;\n")
    if owner is not None:
        subprocess.run(["chown", "-R", owner, root], check=True)
    return root


def main():
    if os.geteuid() != 0:
        raise SystemExit("run as root: only root lends a workdir to the sandbox uid")
    aisbx = build()
    scratch = tempfile.mkdtemp(prefix="aisbx-bench-")
    os.chmod(scratch, 0o755)  # uid 1234 must reach its workdirs, or aisbx lends them to the sandbox uid instead
    try:
        config, _ = scratch_config(scratch)
        ensure_trees(aisbx, config, "default")
        work = os.path.join(scratch, "work")
        variants = {"fresh": [aisbx, "--config", config, "run", "--", "/bin/true"]}
        for size in SIZES:
            for kind, owner in (("owner", "1234:1234"), ("root", None)):
                workdir = tree(os.path.join(work, f"{kind}-{size}"), size, owner)
                variants[f"{kind}-{size}"] = [aisbx, "--config", config, "run", "-w", workdir, "--", "/bin/true"]
        devnull = os.open(os.devnull, os.O_RDONLY)
        stdin = [(os.POSIX_SPAWN_DUP2, devnull, 0)]
        names = list(variants)
        for _ in range(3):  # warm-up, not counted
            for name in names:
                spawn_and_wait(variants[name], stdin)
        times = {name: [] for name in names}
        for i in range(RUNS):
            for name in names[i % len(names):] + names[:i % len(names)]:
                times[name].append(spawn_and_wait(variants[name], stdin) / 1e6)

        print(f"runs: {RUNS} each, interleaved; {os.cpu_count()} cores; {PER_DIRECTORY} files per directory")
        medians = {}
        for name in names:
            ordered = sorted(times[name])
            medians[name] = statistics.median(ordered)
            print(f"{name:<12} median {medians[name]:8.2f} ms   p90 {percentile(ordered, 0.9):8.2f} ms")
        for size in SIZES[1:]:
            lend = (medians[f"root-{size}"] - medians["root-0"]) / size * 1000
            owner = medians[f"owner-{size}"] - medians["owner-0"]
            print(f"{size} files: lend + give back {lend:.1f} us per file; as the owner {owner:+.2f} ms in all")
        print(f"empty root-owned workdir over a fresh workspace: {medians['root-0'] - medians['fresh']:+.2f} ms")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
