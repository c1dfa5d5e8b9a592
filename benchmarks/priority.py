"""The priority list against the optimum: python benchmarks/priority.py [--cases ...]
[--direction up,down] [--time-limit S] [--levels auto|START:STOP:STEP] [--keep DIR]

Runs `planner priority` as a user runs it (its own process: the levels solved, every
plan verified, the tables checked and written) on each case and prints, per sampled
level, the nested plan's value against the optimum at the same money (a full solve
without the nesting, from the nested plan: never below it under the scenario's rule),
the optimum's bound and status, the ratio nested / optimum, and, under the
lexicographic exit priority, the first batch whose on-time count differs (the optimum
may then have a lower value: it serves that batch better).  Then one line per case: the
lowest ratio and the levels behind in a batch.

Cases: `demo` (scenarios/demo-county, its lexicographic exit priority), `demo-weighted`
(the same with exit_priority: weighted, one objective), `gen1000` (`planner generate
--villages 1000 --counties 8 --seed 1`), `gen1000-weighted`.  `--time-limit` is each
run's one limit (all its solves).  No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PLANNER = [sys.executable, "-m", "planner"]
CASES = ("demo", "demo-weighted", "gen1000", "gen1000-weighted")


def scenario(case: str, tmp: Path) -> Path:
    """The scenario folder of a case (generated or a variant written into `tmp`)."""
    if case.startswith("demo"):
        base = ROOT / "scenarios" / "demo-county"
    else:
        base = tmp / "gen1000"
        if not base.exists():
            subprocess.run([*PLANNER, "generate", "--villages", "1000", "--counties", "8",
                            "--seed", "1", str(base)], check=True, capture_output=True)
    if not case.endswith("-weighted"):
        return base
    folder = tmp / case
    folder.mkdir(exist_ok=True)
    (folder / "scenario.yaml").write_text(f"base: {base}\nname: {case}\n"
                                          "exit_priority: weighted\n", encoding="utf-8")
    return folder


def run(case: str, direction: str, args, tmp: Path) -> pd.DataFrame:
    out = tmp / f"{case}-{direction}"
    # --debug: a failure shows its traceback (nothing else changes)
    cmd = [*PLANNER, "--debug", "priority", str(scenario(case, tmp)), "--out", str(out),
           "--direction", direction, "--levels", args.levels, "--time-limit",
           str(args.time_limit)]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        print(f"{case} {direction}: exit {done.returncode}: {done.stderr.strip()[-3000:]}")
        return pd.DataFrame()
    frame = pd.read_csv(out / "priority_levels.csv", dtype={"batch_behind": str})
    frame.insert(0, "direction", direction)
    frame.insert(0, "case", case)
    frame.attrs["seconds"] = seconds
    frame.attrs["works"] = len(pd.read_csv(out / "priority.csv"))
    return frame


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="demo,demo-weighted",
                    help=f"comma-separated, of {', '.join(CASES)}")
    ap.add_argument("--direction", default="up,down", help="up, down or both (up,down)")
    ap.add_argument("--time-limit", type=float, default=120.0,
                    help="each run's one time limit (seconds)")
    ap.add_argument("--levels", default="auto")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--keep", type=Path, default=None,
                    help="keep the runs' folders here (default: a temporary folder)")
    args = ap.parse_args()
    pd.set_option("display.width", 200)
    cols = ["scale", "money", "value", "optimum_value", "optimum_bound", "optimum_status",
            "ratio", "batch_behind"]
    lines = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        for case in args.cases.split(","):
            for direction in args.direction.split(","):
                frame = run(case, direction, args, Path(tmp))
                if frame.empty:
                    continue
                sampled = frame[frame["optimum_plan"].fillna("") != ""]
                print(f"\n{case}, {direction}: {frame.attrs['works']} works ranked, "
                      f"{int(frame['plan'].notna().sum())} levels with a plan, "
                      f"{frame.attrs['seconds']:.0f} s (time limit {args.time_limit:g} s)")
                print(sampled[cols].fillna("").to_string(index=False))
                behind = sampled["batch_behind"].fillna("")
                lines.append(f"{case:18s} {direction:5s} lowest ratio "
                             f"{sampled['ratio'].min():.4f}, levels behind in a batch: "
                             f"{int((behind != '').sum())} of {len(sampled)}"
                             + (f" ({'; '.join(behind[behind != ''])})"
                                if (behind != "").any() else ""))
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
