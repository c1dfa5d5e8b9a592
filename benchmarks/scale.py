"""Monolithic against county-by-county on Dask: python benchmarks/scale.py [--villages N]

Builds province scenarios with `planner generate` (8,000 villages, 58 counties;
with and without a pooled stream) and prints, in one run: wall time and value
of the monolithic HiGHS solve (time limit 120 s), and of the decomposed solve
on a Dask LocalCluster of 1 and of 2 workers, the bound each proves and the
value gap to the monolithic solve.  `--scheduler tcp://host:port` runs the
decomposed solves on an existing cluster instead (then one row per cluster).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def monolithic(inst, limit):
    from models.solve import solve

    t0 = time.perf_counter()
    res = solve(inst, time_limit=limit, gap=0.01, threads=os.cpu_count(), tie_break=False)
    return time.perf_counter() - t0, res


def decomposed(inst, scheduler):
    from models.decompose import solve_by_county
    from planner.distributed import dask_mapper

    t0 = time.perf_counter()
    with dask_mapper(scheduler) as mapper:
        res = solve_by_county(inst, mapper=mapper, gap=0.01, threads=1, time_limit=60,
                              tie_break=False)
    return time.perf_counter() - t0, res


def row(label, kind, seconds, res, ref):
    value = res.objective if res.has_solution else None
    vs = f"{(ref - value) / ref:+.3%}" if value is not None and ref else "n/a"
    shown = f"{value:.1f}" if value is not None else "no plan"
    bound = f"{res.bound:.1f}" if res.bound is not None else "n/a"
    gap = f"{res.gap:.3%}" if res.gap is not None else "n/a"
    print(f"| {label} | {kind} | {seconds:.1f} | {res.status.value} | {shown} | {bound} | "
          f"{gap} | {vs} |", flush=True)


def main():
    from dask.distributed import LocalCluster

    from planner.build import build_instance
    from planner.generate import generate
    from planner.scenario import load_scenario

    ap = argparse.ArgumentParser()
    ap.add_argument("--villages", type=int, default=8000)
    ap.add_argument("--counties", type=int, default=58)
    ap.add_argument("--limit", type=float, default=120.0)
    ap.add_argument("--scheduler", default=None)
    args = ap.parse_args()
    print(f"{args.villages} villages, {args.counties} counties, {os.cpu_count()} cores")
    print("| scenario | solved as | wall s | status | value | bound | gap | below monolithic |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        for pooled in (False, True):
            folder = Path(tmp) / f"prov-{pooled}"
            generate(folder, villages=args.villages, counties=args.counties, seed=3,
                     pooled_stream=pooled)
            inst = build_instance(load_scenario(folder))
            label = "pooled stream" if pooled else "county money only"
            secs, mono = monolithic(inst, args.limit)
            row(label, "monolithic", secs, mono, None)
            ref = mono.objective if mono.has_solution else None
            if args.scheduler:
                secs, res = decomposed(inst, args.scheduler)
                row(label, "by county on the given cluster", secs, res, ref)
                continue
            for workers in (1, 2):
                with LocalCluster(n_workers=workers, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
                    secs, res = decomposed(inst, cluster.scheduler_address)
                row(label, f"by county, {workers} worker(s)", secs, res, ref)
                if workers == 1:
                    per_county = secs / args.counties
            print(f"|  | per county (1 worker) | {per_county:.2f} |  |  |  |  |  |")


if __name__ == "__main__":
    main()
