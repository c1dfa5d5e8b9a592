"""The planner at scale, with baselines measured in the same run: python benchmarks/scale.py

Rows (issue 18, items 2, 4 and 6): a county of 300 villages; a generated province of
8,000 villages in 58 counties with a pooled stream (seed 3); scenarios/shanxi-province
(real shape, no pooled money, the policy's shared deadlines); with ``--nation`` the 832
national counties (`planner generate --nation --seed 1`, about 128,000 villages).  Each
is planned by ``planner solve`` in its own process, as a user runs it, under the default
lexicographic exit priority, on a Dask LocalCluster of 1 and of 2 worker processes
started here (``--workers 1,2,4`` for more; ``--scheduler`` passes an existing cluster).

Columns: wall seconds (the whole command: reading, solving, checking, writing), status,
value, the bound the run states and how it was computed (summary.json
options.bound_source: sum of county bounds, the whole LP, or the Lagrangian dual of the
coupling rows, models/lagrange), the gap, the bound phase's seconds (the Lagrangian's, as
the run records them), value / greedy (the rule of thumb's plan, models/greedy.py,
computed here), bound / LP (the LP relaxation of the whole program without batch floors,
solved here in one process with its seconds: the baseline the decomposed bound replaces;
not solved for the nation), the peak of the summed resident memory of the planner's
process and the cluster's workers (sampled every 0.2 s), and the machine's load average
at the start of the row.  No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLANNER = [sys.executable, "-m", "planner"]


def peak_memory(pids, stop: threading.Event, out: list) -> None:
    """The largest sum of resident memory over `pids()` and their children, in MB."""
    import psutil

    peak = 0
    while not stop.is_set():
        total = 0
        for pid in pids():
            try:
                p = psutil.Process(pid)
                total += sum(q.memory_info().rss for q in [p, *p.children(recursive=True)])
            except psutil.Error:
                pass
        peak = max(peak, total)
        stop.wait(0.2)
    out.append(peak / 2**20)


def solve(folder: Path, out: Path, opts: list[str], workers: list[int]) -> dict:
    """planner solve in its own process; wall, peak MB, summary.json."""
    proc_box = []
    stop = threading.Event()
    peak: list = []
    watch = threading.Thread(target=peak_memory,
                             args=(lambda: proc_box + workers, stop, peak), daemon=True)
    watch.start()
    t0 = time.perf_counter()
    proc = subprocess.Popen(PLANNER + ["solve", str(folder), "--out", str(out)] + opts,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    proc_box.append(proc.pid)
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    watch.join()
    if proc.returncode != 0:
        return {"wall": wall, "error": (err.strip().splitlines() or ["?"])[-1]}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return {"wall": wall, "peak_mb": peak[0] if peak else float("nan"), "summary": summary}


def baselines(folder: Path, lp: bool) -> dict:
    """The greedy plan's value and, when asked, the whole LP relaxation (value, seconds)."""
    from models.greedy import greedy, greedy_value
    from models.marginal import lp_relaxation
    from planner.build import build_instance
    from planner.scenario import load_scenario

    inst = build_instance(load_scenario(folder))
    out = {"greedy": greedy_value(inst, greedy(inst)), "works": inst.n_projects,
           "villages": inst.n_villages}
    if lp:
        t0 = time.perf_counter()
        out["lp"] = lp_relaxation(inst.replace(batch_floor=()), threads=1)[0]
        out["lp_seconds"] = time.perf_counter() - t0
    return out


def short_source(text: str) -> str:
    for key, word in (("Lagrangian", "Lagrangian"), ("whole program", "whole LP"),
                      ("sum of county", "county sum"), ("every gap", "trivial")):
        if key in text:
            return word + (", floors" if "counts kept" in text else "")
    return text or "solver"


def row(name: str, label: str, run: dict, base: dict) -> None:
    load = os.getloadavg()[0]
    if "error" in run:
        print(f"| {name} | {label} | {run['wall']:.1f} | failed: {run['error']} |"
              + " |" * 9 + f" {load:.1f} |", flush=True)
        return
    s = run["summary"]
    o = s.get("options", {})
    value, bound = s.get("objective"), s.get("best_bound")
    lag = o.get("lagrangian") or {}
    lp = base.get("lp")
    print(f"| {name} | {label} | {run['wall']:.1f} | {s.get('status')} | {value:.1f} | "
          f"{bound:.1f} | {short_source(o.get('bound_source', ''))} | {s.get('gap', 0):.3%} | "
          f"{lag.get('seconds', '-')} | {value / base['greedy']:.3f} | "
          + (f"{bound / lp:.4f} ({base['lp_seconds']:.1f} s)" if lp else "-")
          + f" | {run['peak_mb']:.0f} | {load:.1f} |", flush=True)


def cases(tmp: Path, nation: bool):
    from planner.generate import generate

    county = tmp / "county-300"
    generate(county, villages=300, counties=1, seed=3)
    yield "county 300", county, []
    prov = tmp / "province-8000"
    generate(prov, villages=8000, counties=58, seed=3, pooled_stream=True)
    yield "province 8,000 (pooled)", prov, ["--time-limit", "30"]
    yield "Shanxi-shaped", ROOT / "scenarios" / "shanxi-province", []
    if nation:
        from planner.generate.nation import generate_nation

        folder = tmp / "nation"
        generate_nation(folder, seed=1)
        yield "nation (832 counties)", folder, ["--time-limit", "900"]


def main() -> None:
    from dask.distributed import LocalCluster

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--scheduler", default=None)
    ap.add_argument("--nation", action="store_true")
    ap.add_argument("--only", default=None, help="run the rows whose name contains this")
    args = ap.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start")
    print("| case | workers | wall s | status | value | bound | bound by | gap | bound s | "
          "value/greedy | bound/LP (LP s) | peak MB | load |")
    print("|---" * 13 + "|")
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        for name, folder, opts in cases(Path(tmp), args.nation):
            if args.only and args.only not in name:
                continue
            base = baselines(folder, lp="nation" not in name)
            if name == "county 300":  # one county: solved whole, no cluster
                row(name, "-", solve(folder, Path(tmp) / "out", opts, []), base)
                continue
            if args.scheduler:
                row(name, "cluster", solve(folder, Path(tmp) / "out",
                                           opts + ["--scheduler", args.scheduler], []), base)
                continue
            for n in counts:
                with LocalCluster(n_workers=n, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
                    pids = [w.pid for w in cluster.workers.values()
                            if getattr(w, "pid", None)]
                    run = solve(folder, Path(tmp) / f"out-{n}",
                                opts + ["--scheduler", cluster.scheduler_address], pids)
                row(name, str(n), run, base)


if __name__ == "__main__":
    main()
