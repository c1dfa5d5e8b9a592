"""Quality at the seams (issue 18, item 5): the county-by-county plan against the whole
program's, on a province the whole program can still solve.

python benchmarks/seams.py [--time-limit 120] [--rules lexicographic,weighted]
                           [--villages 2000] [--counties 14] [--seed 3]

Generates the province (a pooled stream), then for each exit-priority rule runs
`planner solve` twice with the same time limit, as a user does (its own process):
`--decompose county` and `--decompose off` (the whole program, the baseline of the same
run).  Prints per run the wall seconds, status, each batch's villages on time, the
value and the bound, and per rule the comparison: under the lexicographic rule the
batch counts first (the plan with more of the first batch that differs is better),
then the value; under the weighted rule the value, as a share of the whole's.  The
merged counties' levels (models.group_split, `options.regrouped`) are shown for the
county-by-county run: counties per program, programs, plans taken, and the search
(`dives`: the stages' LP dives; `full`; `by plan`: in full, the pooled money cut again
by the plan's own spending, models.county_polish).  No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def solve(folder: Path, out: Path, limit: float, decompose: str) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "planner", "solve", str(folder), "--out",
                           str(out), "--time-limit", str(limit), "--decompose", decompose],
                          cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"wall": wall, "status": "error: " + proc.stderr.strip().splitlines()[-1]}
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    stages = (s.get("exit_priority") or {}).get("stages") or s["options"].get(
        "exit_priority", {}).get("stages", [])
    regrouped = s["options"].get("regrouped") or {}
    return {"wall": wall, "status": s["status"], "value": s["objective"],
            "bound": s["best_bound"], "gap": s["gap"],
            "counts": [st["on_time"] for st in stages],
            "levels": [(lv["counties_per_group"], lv["groups"], lv["taken"],
                        SEARCH.get(lv.get("search"), lv.get("search")))
                       for lv in regrouped.get("levels", [])]}


#: the search of a merged level (models.group_split), as printed
SEARCH = {"LP dives": "dives", "full": "full", "full, money by the plan": "by plan"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--rules", default="lexicographic,weighted")
    ap.add_argument("--villages", type=int, default=2000)
    ap.add_argument("--counties", type=int, default=14)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from planner.generate import generate

    print(f"{os.cpu_count()} cores; {args.villages} villages / {args.counties} counties, "
          f"pooled stream, seed {args.seed}; --time-limit {args.time_limit}; load "
          f"{os.getloadavg()[0]:.2f}")
    print("| rule | run | wall s | status | on time per batch | value | bound | gap | "
          "merged levels (counties, groups, taken, search) |")
    print("|---|---|---|---|---|---|---|---|---|")
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="seams-") as tmp:
        tmp = Path(tmp)
        for rule in args.rules.split(","):
            folder = tmp / f"province-{rule}"
            generate(folder, villages=args.villages, counties=args.counties,
                     seed=args.seed, pooled_stream=True)
            cfg = folder / "scenario.yaml"
            cfg.write_text(cfg.read_text(encoding="utf-8") + f"exit_priority: {rule}\n",
                           encoding="utf-8")
            rows = {}
            for run in ("county", "off"):
                r = rows[run] = solve(folder, tmp / f"plan-{rule}-{run}", args.time_limit,
                                      run)
                name = "by county" if run == "county" else "whole"
                if "value" not in r:
                    print(f"| {rule} | {name} | {r['wall']:.1f} | {r['status']} | | | | | |")
                    continue
                print(f"| {rule} | {name} | {r['wall']:.1f} | {r['status']} | "
                      f"{'/'.join(map(str, r['counts'])) or '-'} | {r['value']:.1f} | "
                      f"{r['bound']:.1f} | {100 * r['gap']:.3f}% | "
                      f"{', '.join(map(str, r['levels'])) or '-'} |", flush=True)
            a, b = rows["county"], rows["off"]
            if "value" in a and "value" in b:
                ratio = a["value"] / b["value"] if b["value"] else float("nan")
                if rule == "lexicographic" and a["counts"] != b["counts"]:
                    first = next(i for i, (x, y) in enumerate(zip(a["counts"], b["counts"]))
                                 if x != y)
                    ahead = "by county" if a["counts"][first] > b["counts"][first] else "whole"
                    verdicts.append(f"{rule}: {ahead} ahead at batch {first + 1} "
                                    f"({a['counts'][first]} by county, {b['counts'][first]} "
                                    f"whole); value by county / whole {ratio:.4f}")
                else:
                    verdicts.append(f"{rule}: the same counts; value by county / whole "
                                    f"{ratio:.4f} ({100 * (ratio - 1):+.3f} %)")
    print()
    for v in verdicts:
        print(v)
    print(f"load after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
