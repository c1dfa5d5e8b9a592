"""One time limit: python benchmarks/time_limit.py [--limit S]

`--time-limit` is the user's budget for the whole run (issue 12, item 5): the
command must end within the limit plus max(10 %, 2 s).  This runs each command
that solves, as a user would (a fresh process: imports, reading, solving,
checking, writing), on generated scenarios, and prints the wall time against the
limit, the allowed end, and, for solve, which plan won (solver or warm start)
and the value against the greedy plan measured in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLANNER = [sys.executable, "-m", "planner"]

SCENARIOS = [
    # name, villages, counties, seed, pooled stream
    ("county-300", 300, 1, 5, False),
    ("gen-1000v-6c (split by county)", 1000, 6, 2, False),
]


def commands(folder: Path, out: Path, limit: float) -> list[tuple[str, list[str]]]:
    lim = ["--time-limit", str(limit)]
    return [
        ("solve highs", ["solve", str(folder), "--out", str(out / "s-highs")] + lim),
        ("solve cpsat", ["solve", str(folder), "--out", str(out / "s-cpsat"),
                         "--solver", "cpsat"] + lim),
        ("solve cbc", ["solve", str(folder), "--out", str(out / "s-cbc"),
                       "--solver", "cbc"] + lim),
    ]


def main(limit: float) -> None:
    print(f"machine: {os.cpu_count()} cores; limit {limit:g} s; allowed end "
          f"{limit + max(0.1 * limit, 2.0):g} s")
    print("| scenario | command | wall s | wall / limit | within | exit | plan from | "
          "value | greedy |")
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="tl-") as tmp:
        tmp = Path(tmp)
        for name, villages, counties, seed, pooled in SCENARIOS:
            folder = tmp / f"scn-{seed}-{villages}"
            subprocess.run(PLANNER + ["generate", "--villages", str(villages), "--counties",
                                      str(counties), "--seed", str(seed), str(folder)]
                           + (["--pooled-stream"] if pooled else []),
                           check=True, capture_output=True)
            for label, args in commands(folder, tmp / f"out-{seed}-{villages}", limit):
                t0 = time.perf_counter()
                proc = subprocess.run(PLANNER + args, capture_output=True, text=True)
                wall = time.perf_counter() - t0
                plan_from = value = greedy = "-"
                summary = Path(args[3]) / "summary.json"
                if proc.returncode == 0 and summary.exists():
                    s = json.loads(summary.read_text(encoding="utf-8"))
                    plan_from = s["options"].get("plan_from", "-")
                    value, greedy = s["objective"], s["options"].get("greedy_value")
                ok = wall <= limit + max(0.1 * limit, 2.0)
                print(f"| {name} | {label} | {wall:.2f} | {wall / limit:.2f} | "
                      f"{'yes' if ok else 'NO'} | {proc.returncode} | {plan_from} | "
                      f"{value} | {greedy} |", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    main(float(args[args.index("--limit") + 1]) if "--limit" in args else 5.0)
