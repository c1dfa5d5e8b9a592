"""The county under the lexicographic exit priority, end to end, against a baseline tree
in the same run: python benchmarks/county_lex.py [--base REV] [--repeats 5] [--cases N]

`planner solve` of scale.py's county row (300 villages, 1 county, seed 3, defaults) as a
user runs it (its own process: imports, reading, solving, checking, writing; bytecode
cached as an installed package has it, after one warm-up run of each tree), by this
tree and by the tree of git revision REV (default HEAD, exported to a temporary folder),
alternating, `--repeats` times each; prints each run's wall seconds and CPU seconds
(user + system of the process and its threads: less moved by other work on the machine
than the wall), and the median ratios this / baseline, with the load average.
`--cases N` also solves N generated counties (50-300 villages, seeds 11..) by both
trees once and compares the plans under the lexicographic rule: the per-batch counts
(exact: every stage proven in both) and the value (within the run's gap of the better
one).  No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYCACHE = Path(tempfile.gettempdir()) / "county-lex-pycache"


def run(tree: Path, folder: Path, out: Path) -> dict:
    # as an installed planner runs: its modules' bytecode cached (in a folder of the run's
    # own, PYCACHE, not in the tree), whatever PYTHONDONTWRITEBYTECODE says here
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPATH=str(tree), PYTHONPYCACHEPREFIX=str(PYCACHE / tree.name))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "planner", "solve", str(folder), "--out",
                           str(out)], cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{tree}: {proc.stderr.strip().splitlines()[-1:]}")
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    ep = s["options"].get("exit_priority", {})
    return {"wall": wall, "cpu": cpu, "value": s["objective"], "status": s["status"],
            "gap": s["gap"],
            "counts": [st["on_time"] for st in ep.get("stages", [])],
            "proven": ep.get("proven"), "bound_by": [st.get("bound_by", "-")
                                                     for st in ep.get("stages", [])]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="HEAD")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--cases", type=int, default=0)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from planner.generate import generate

    with tempfile.TemporaryDirectory(prefix="county-lex-") as tmp:
        tmp = Path(tmp)
        base = tmp / "base"
        base.mkdir()
        archive = subprocess.run(["git", "archive", args.base], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        county = tmp / "county-300"
        generate(county, villages=300, counties=1, seed=3)
        print(f"{os.cpu_count()} cores; baseline {args.base}; county 300 villages seed 3")
        print("| repeat | tree | wall s | CPU s | status | value | on time per batch | load |")
        print("|---|---|---|---|---|---|---|---|")
        walls = {"this": [], "base": []}
        cpus = {"this": [], "base": []}
        for name, tree in (("base", base), ("this", ROOT)):  # warm-up: bytecode cached
            run(tree, county, tmp / f"warm-{name}")
        for r in range(args.repeats):
            for name, tree in (("base", base), ("this", ROOT)):
                load = os.getloadavg()[0]
                got = run(tree, county, tmp / f"out-{name}-{r}")
                walls[name].append(got["wall"])
                cpus[name].append(got["cpu"])
                print(f"| {r + 1} | {name} | {got['wall']:.2f} | {got['cpu']:.2f} | "
                      f"{got['status']} | "
                      f"{got['value']:.1f} | {got['counts']} | {load:.1f} |", flush=True)
        ratios = [a / b for a, b in zip(walls["this"], walls["base"])]
        print(f"median wall: this {statistics.median(walls['this']):.2f} s, base "
              f"{statistics.median(walls['base']):.2f} s; median ratio this/base "
              f"{statistics.median(ratios):.2f} (per repeat: "
              + ", ".join(f"{x:.2f}" for x in ratios) + ")")
        cpu_ratios = [a / b for a, b in zip(cpus["this"], cpus["base"])]
        print(f"median CPU: this {statistics.median(cpus['this']):.2f} s, base "
              f"{statistics.median(cpus['base']):.2f} s; median ratio this/base "
              f"{statistics.median(cpu_ratios):.2f}")
        if not args.cases:
            return
        print("\n| case | villages | base value | this value | base counts | this counts | "
              "same counts | base s | this s | stages proven by (this) | load |")
        print("|---" * 11 + "|")
        for k in range(args.cases):
            villages = 50 + (250 * k) // max(1, args.cases - 1)
            folder = tmp / f"case-{k}"
            generate(folder, villages=villages, counties=1, seed=11 + k)
            load = os.getloadavg()[0]
            a = run(base, folder, tmp / f"case-{k}-base")
            b = run(ROOT, folder, tmp / f"case-{k}-this")
            same = a["counts"] == b["counts"] if a["proven"] and b["proven"] else "unproven"
            print(f"| {k + 1} (seed {11 + k}) | {villages} | {a['value']:.1f} | "
                  f"{b['value']:.1f} | {a['counts']} | {b['counts']} | {same} | "
                  f"{a['wall']:.1f} | {b['wall']:.1f} | {', '.join(b['bound_by'])} | "
                  f"{load:.1f} |", flush=True)


if __name__ == "__main__":
    main()
