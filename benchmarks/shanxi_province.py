"""A province of real shape: python benchmarks/shanxi_province.py [--time-limit S] [--gap G]

Plans scenarios/shanxi-province (Shanxi's 58 poverty counties and 7,993 poor
villages, issue 15 part 3) with `planner solve` as a user runs it (its own
process: reading, solving, verifying, writing) and prints, in one table, the
plan against two baselines measured in the same run:

* the greedy plan (models/greedy.py: deadlines first, then villages in exit-batch
  order, best value per yuan), computed here in this process on the same instance;
* the bound of the solve (summary.json `best_bound`; for this scenario the LP
  relaxation of the whole program, since the policy's 90 % deadlines span counties).

Columns: wall time, status, value, bound, gap, value / greedy, value / bound, the
villages on time per exit batch (on time / due) and peak memory (the largest
resident set among the solve process and its Dask workers).  Options given are
passed on to `planner solve`; no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
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
SCENARIO = ROOT / "scenarios" / "shanxi-province"
PLANNER = [sys.executable, "-m", "planner"]


def greedy_baseline() -> dict:
    """The greedy plan of the scenario: value, seconds, villages on time per batch."""
    from models.evaluate import on_time
    from models.greedy import greedy, greedy_value
    from planner.build import build_instance
    from planner.scenario import load_scenario

    scn = load_scenario(SCENARIO)
    inst = build_instance(scn)
    t0 = time.perf_counter()
    start = greedy(inst)
    seconds = time.perf_counter() - t0
    batch = scn.villages.set_index("village_id").loc[list(inst.village_ids), "exit_year"]
    ok = on_time(inst, start)
    return {"value": greedy_value(inst, start), "seconds": seconds,
            "on_time": {str(y): int(ok[(batch == y).to_numpy()].sum())
                        for y in sorted(batch.unique())}}


def solve(out: Path, opts: list[str]) -> dict:
    """`planner solve` in its own process: wall time, peak memory and summary.json."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(PLANNER + ["solve", str(SCENARIO), "--out", str(out)] + opts,
                          capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    if proc.returncode != 0:
        raise SystemExit(f"planner solve failed ({proc.returncode}): "
                         f"{proc.stderr.strip().splitlines()[-1]}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {"wall": wall, "peak_mb": peak / 1024, "summary": summary}


def batches(on_time: dict, due: dict) -> str:
    return " | ".join(f"{on_time.get(y, 0)}/{due[y]}" for y in sorted(due))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--gap", type=float, default=None)
    args = ap.parse_args()
    opts = (["--time-limit", str(args.time_limit)] if args.time_limit is not None else []) + (
        ["--gap", str(args.gap)] if args.gap is not None else [])
    shown = " ".join(opts) or "(defaults)"
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()}; planner solve {shown}")
    base = greedy_baseline()
    with tempfile.TemporaryDirectory(prefix="shanxi-") as tmp:
        run = solve(Path(tmp) / "plan", opts)
    s = run["summary"]
    due = s["villages_due"]
    o = s["options"]
    value, bound = s["objective"], s["best_bound"]
    print(f"bound: {o.get('bound_source', 'the solve')}; solved {o.get('decomposed', 'whole')}; "
          f"greedy inside the solve {o.get('greedy_value')}")
    print("| plan | wall s | status | value | bound | gap | value/greedy | value/bound | "
          + " | ".join(f"on time {y}" for y in sorted(due)) + " | peak MB |")
    print("|---" * (9 + len(due)) + "|")
    print(f"| greedy | {base['seconds']:.1f} | - | {base['value']:.1f} | - | - | 1.000 | "
          f"{base['value'] / bound:.3f} | {batches(base['on_time'], due)} | - |")
    print(f"| planner solve | {run['wall']:.1f} | {s['status']} | {value:.1f} | {bound:.1f} | "
          f"{s['gap']:.3%} | {value / base['value']:.3f} | {value / bound:.4f} | "
          f"{batches(s['villages_on_time'], due)} | {run['peak_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
