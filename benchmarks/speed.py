"""End-to-end speed: python benchmarks/speed.py [--skip-province]

Runs `planner solve` as a user would (reading the files, solving, writing and
verifying the outputs) on generated scenarios of three sizes, each in its own
process, and prints one table: wall time, status, value, bound, gap, the value
of the greedy rule of thumb measured in the same run, and peak memory (the
largest resident set of the process and its Dask workers).

Targets (issue 5, on 2 cores): county of 300 villages within 0.1 % of the bound
in <= 5 s; province of 8,000 villages / 58 counties with a pooled stream within
1 % in <= 120 s and <= 4 GB.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLANNER = [sys.executable, "-m", "planner"]

CASES = [
    # name, villages, counties, seed, pooled stream, solve options
    ("county-300", 300, 1, 5, False, ["--gap", "0.001"]),
    ("gen-1000v-6c", 1000, 6, 1, True, ["--gap", "0.001"]),
    ("province-8000v-58c", 8000, 58, 3, True, ["--gap", "0.01"]),
]


def run_case(tmp: Path, name, villages, counties, seed, pooled, opts) -> dict:
    folder, out = tmp / name, tmp / f"{name}-plan"
    gen = PLANNER + ["generate", "--villages", str(villages), "--counties", str(counties),
                     "--seed", str(seed), str(folder)] + (["--pooled-stream"] if pooled else [])
    subprocess.run(gen, check=True, capture_output=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(PLANNER + ["solve", str(folder), "--out", str(out)] + opts,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        return {"case": name, "error": proc.stderr.strip().splitlines()[-1]}
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    o = s["options"]
    return {"case": name, "projects": s["gaps_planned"], "wall": wall, "status": s["status"],
            "value": s["objective"], "bound": s["best_bound"], "gap": s["gap"],
            "greedy": o.get("greedy_value"), "how": o.get("decomposed", "whole"),
            "build": o.get("build_seconds"), "peak_mb": max(peak, before) / 1024}


def main(skip_province: bool) -> None:
    cases = [c for c in CASES if not (skip_province and c[0].startswith("province"))]
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()}")
    print("| case | solved as | wall s | status | value | bound | gap | greedy | "
          "value/greedy | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="speed-") as tmp:
        for case in cases:
            r = run_case(Path(tmp), *case)
            if "error" in r:
                print(f"| {r['case']} | error: {r['error']} |")
                continue
            ratio = r["value"] / r["greedy"] if r["greedy"] else float("nan")
            print(f"| {r['case']} | {r['how']} | {r['wall']:.1f} | {r['status']} | "
                  f"{r['value']:.1f} | {r['bound']:.1f} | {r['gap']:.3%} | {r['greedy']:.1f} | "
                  f"{ratio:.3f} | {r['peak_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main("--skip-province" in sys.argv)
