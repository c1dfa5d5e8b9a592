"""Fixed work on 1, 2 and 4 Dask workers, the 1-worker baseline in the same run:
python benchmarks/workers.py [--workers 1,2,4] [--scheduler ADDR] [--counties N]

Issue 18, item 4.  Two phases, each run to its end (no time limit), the same work for
every worker count:

* county phase: the county programs of scenarios/shanxi-province without its shared
  deadlines (models.relaxed.relaxed_parts, 58 counties), every one solved by
  models.county_solve.solve_parts (the exit-priority stages, the value, the tie-break)
  with threads=1, seed=0, gap=1e-3 and no time limit;
* bound phase: the Lagrangian dual (models.lagrange.lagrangian_bound, no batch floors,
  ``seconds=None``: until it converges) of a generated province of 8,000 villages in 58
  counties with a pooled stream (seed 3).

Each task is timed inside the worker (the whole task: for a county its warm start,
stages, value and tie-break, which the returned "seconds" does not cover; for the
Lagrangian a chunk of county LPs, with the building of a county's model the first time
a worker gets it).  A round is one call of the map (one Lagrangian evaluation, or a
second round of it when a chunk landed on a worker without its counties' models).

Columns: wall seconds of the phase; speed-up against the 1-worker row of this run; the
sum of the tasks' seconds; the longest task; the tasks' CPU seconds (their worker
process's during the task: a sum of task seconds above it is time spent waiting for a
core); serial seconds, the wall less what the tasks explain at k workers, max(sum / k,
longest) for the county phase and the same per round for the Lagrangian (its serial
part is then the main process's work between rounds, the master LP, and each round's
scheduling and transfer beyond its tasks: the round overhead, also shown apart); the
rounds; the result (the same work: the same value, the same iterations); the 1-minute
load average after the row.  Then a 16-worker extrapolation by the stated model.

Local runs start a LocalCluster of k worker processes (one thread each) per row, warmed
up (the solver modules imported on every worker) before the clock starts.  With
``--scheduler`` the tasks of a row are restricted to the first k workers of that
cluster.  No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHANXI = ROOT / "scenarios" / "shanxi-province"
COUNTY_OPTS = {"threads": 1, "seed": 0, "gap": 1e-3}
PROVINCE = {"villages": 8000, "counties": 58, "seed": 3, "pooled_stream": True}
EXTRAPOLATE = 16


def timed(fn, *args):
    """(seconds, CPU seconds, fn(*args)): the task's own time, measured where it runs."""
    began, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return time.perf_counter() - began, time.process_time() - cpu, out


def warm() -> None:
    """Import the solver's modules on a worker before the clock starts."""
    import highspy  # noqa: F401

    import models.decompose  # noqa: F401
    import models.lagrange.county  # noqa: F401
    import models.solve  # noqa: F401


class Mapper:
    """map(fn, *iterables) as Dask tasks on `workers` (addresses, or None: any), each
    task timed by `timed`; records per round its wall seconds and its tasks' seconds."""

    def __init__(self, client, k: int, addresses: list[str] | None):
        self.client, self.workers, self.addresses = client, k, addresses
        self.rounds: list[tuple[float, list[float]]] = []
        self.items: list[float] = []
        self.cpu = 0.0

    def __call__(self, fn, *iterables):
        began = time.perf_counter()
        kw = {} if self.addresses is None else {"workers": self.addresses,
                                                "allow_other_workers": False}
        futures = self.client.map(functools.partial(timed, fn), *iterables, pure=False, **kw)
        outs = self.client.gather(futures)
        self.rounds.append((time.perf_counter() - began, [s for s, _, _ in outs]))
        self.cpu += sum(c for _, c, _ in outs)
        # the longest item of the round: a county LP's own seconds (models.lagrange.county
        # rows), else the longest task
        items = [r["seconds"] for _, _, out in outs if isinstance(out, list)
                 for r in out if isinstance(r, dict) and "seconds" in r]
        self.items.append(max(items) if items else max(s for s, _, _ in outs))
        return [out for _, _, out in outs]


def row(phase: str, k: int, wall: float, mapper: Mapper, extra: dict) -> dict:
    tasks = [s for _, secs in mapper.rounds for s in secs]
    explained = [max(sum(secs) / k, max(secs, default=0.0)) for _, secs in mapper.rounds]
    in_rounds = sum(w for w, _ in mapper.rounds)
    return {"phase": phase, "workers": k, "wall": wall, "sum": sum(tasks),
            "longest": max(tasks, default=0.0), "serial": wall - sum(explained),
            "rounds": len(mapper.rounds), "overhead": in_rounds - sum(explained),
            "between": wall - in_rounds, "per_round": mapper.rounds,
            "items": mapper.items, "cpu": mapper.cpu,
            "load": os.getloadavg()[0], **extra}


def county_phase(parts, mapper: Mapper, k: int) -> dict:
    from models.county_solve import solve_parts

    began = time.perf_counter()
    outs = solve_parts(parts, mapper, None, k, 0.0, dict(COUNTY_OPTS))
    wall = time.perf_counter() - began
    value = sum(o["objective"] or 0.0 for o in outs)
    statuses = sorted({o["status"] for o in outs})
    return row("county", k, wall, mapper, {"value": value, "status": ",".join(statuses)})


def bound_phase(inst, mapper: Mapper, k: int) -> dict:
    from models.lagrange import lagrangian_bound

    began = time.perf_counter()
    run = lagrangian_bound(inst, mapper, k, seconds=None)
    wall = time.perf_counter() - began
    evals = [w for w, _ in mapper.rounds]
    return row("bound", k, wall, mapper, {
        "value": run.bound, "status": "converged" if run.converged else "not converged",
        "iterations": run.iterations, "evaluations": run.evaluations,
        "first_round": evals[0] if evals else None, "last_round": evals[-1] if evals else None})


def instances(counties: int | None):
    """(Shanxi's relaxed county parts, the generated province's instance without floors)."""
    from models.relaxed import relaxed_parts
    from planner.build import build_instance
    from planner.generate import generate
    from planner.scenario import load_scenario

    parts = relaxed_parts(build_instance(load_scenario(SHANXI)))
    if counties is not None:
        parts = parts[:counties]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "province"
        generate(folder, **PROVINCE)
        province = build_instance(load_scenario(folder)).replace(batch_floor=())
    return parts, province


def clusters(ks: list[int], scheduler: str | None):
    """(k, client, addresses) per worker count: a fresh local cluster each, or the first
    k workers of the given cluster."""
    from dask.distributed import Client

    from planner.distributed import close, local_cluster

    if scheduler:
        client = Client(scheduler, timeout=10)
        try:
            have = sorted(client.scheduler_info().get("workers", {}))
            client.run(warm)
            for k in ks:
                if k > len(have):
                    print(f"skipped {k} workers: the cluster has {len(have)}", file=sys.stderr)
                    continue
                yield k, client, have[:k]
        finally:
            client.close()
        return
    for k in ks:
        client = Client(local_cluster(k))
        try:
            client.wait_for_workers(k)
            client.run(warm)
            yield k, client, None
        finally:
            close(client)


def table(rows: list[dict]) -> list[str]:
    base = {r["phase"]: r["wall"] for r in rows if r["workers"] == 1}
    out = ["| phase | workers | wall s | speed-up vs 1 | sum of tasks s | longest task s | "
           "tasks' CPU s | serial s | rounds | round overhead s | result | load |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        speed = f"{base[r['phase']] / r['wall']:.2f}" if r["phase"] in base else "-"
        if r["phase"] == "bound":
            result = (f"{r['value']:.1f}, {r['status']}, {r['iterations']} iterations, "
                      f"{r['evaluations']} evaluations")
        else:
            result = f"value {r['value']:.1f} ({r['status']})"
        out.append(f"| {r['phase']} | {r['workers']} | {r['wall']:.1f} | {speed} | "
                   f"{r['sum']:.1f} | {r['longest']:.2f} | {r['cpu']:.1f} | {r['serial']:.1f} | "
                   f"{r['rounds']} | {r['overhead']:.1f} | {result} | {r['load']:.2f} |")
    return out


def extrapolation(rows: list[dict], k: int = EXTRAPOLATE) -> list[str]:
    """T(k) from the 1-worker row's tasks and serial part, and the per-round overhead of
    the largest measured row that has no more workers than cores."""
    cores = os.cpu_count() or 1
    out = [f"Model: county phase T(k) = serial + max(sum_tasks / k, longest_task); bound "
           f"phase T(k) = serial_main + sum over rounds of max(sum_round / k, longest "
           f"county LP of the round) + overhead_per_round x rounds.  Tasks and serial "
           f"parts from the 1-worker row; the overhead per round from the largest row with at most "
           f"{cores} workers (this machine's cores)."]
    for phase in ("county", "bound"):
        one = next((r for r in rows if r["phase"] == phase and r["workers"] == 1), None)
        if one is None:
            continue
        fit = [r for r in rows if r["phase"] == phase and r["workers"] <= cores]
        ref = max(fit, key=lambda r: r["workers"])
        for kk in sorted({r["workers"] for r in rows if r["phase"] == phase} | {k}):
            if phase == "county":
                t = one["serial"] + max(one["sum"] / kk, one["longest"])
                how = (f"{one['serial']:.1f} + max({one['sum']:.1f} / {kk}, "
                       f"{one['longest']:.2f})")
            else:
                per = ref["overhead"] / max(1, ref["rounds"])
                work = sum(max(sum(secs) / kk, item) for (_, secs), item
                           in zip(one["per_round"], one["items"]))
                t = one["between"] + work + per * one["rounds"]
                how = (f"{one['between']:.1f} + {work:.1f} (each round's tasks over {kk}, at "
                       f"least its longest county LP) + {per:.3f} x {one['rounds']} rounds "
                       f"(overhead per round at {ref['workers']} workers)")
            measured = next((r["wall"] for r in rows if r["phase"] == phase
                             and r["workers"] == kk), None)
            seen = "" if measured is None else f"; measured {measured:.1f} s"
            out.append(f"- {phase}, {kk} workers: {how} = {t:.1f} s{seen}")
            most = max((r for r in rows if r["phase"] == phase), key=lambda r: r["rounds"])
            if phase == "bound" and kk == k and most["rounds"] > one["rounds"]:
                extra = per * (most["rounds"] - one["rounds"])
                out.append(f"  with the rounds of the {most['workers']}-worker row "
                           f"({most['rounds']}: chunks that landed on a worker without "
                           f"their counties' models, sent again): + {per:.3f} x "
                           f"{most['rounds'] - one['rounds']} = {t + extra:.1f} s (the "
                           f"models built again not counted)")
    return out


def parse_workers(text: str) -> list[int]:
    try:
        ks = sorted({int(t) for t in text.split(",") if t.strip()})
    except ValueError:
        ks = []
    if not ks or ks[0] < 1:
        raise SystemExit(f"--workers wants positive whole numbers separated by commas, "
                         f"not {text!r}")
    return ks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", default="1,2,4", help="worker counts (default 1,2,4)")
    ap.add_argument("--scheduler", default=None,
                    help="an existing Dask scheduler (default: a local cluster per row)")
    ap.add_argument("--counties", type=int, default=None,
                    help="only the first N of Shanxi's counties (a quick look)")
    ap.add_argument("--phases", default="county,bound", help="county, bound or both")
    args = ap.parse_args()
    ks = parse_workers(args.workers)
    phases = {p.strip() for p in args.phases.split(",")}
    if not phases or phases - {"county", "bound"}:
        raise SystemExit(f"--phases wants county, bound or both, not {args.phases!r}")
    print(f"load {os.getloadavg()}, {os.cpu_count()} cores", flush=True)
    parts, province = instances(args.counties)
    print(f"{len(parts)} county programs of Shanxi ({sum(len(p.projects) for p in parts)} "
          f"works); the province {province.n_villages} villages, {province.n_projects} "
          f"works", flush=True)
    rows = []
    try:
        for k, client, addresses in clusters(ks, args.scheduler):
            if "county" in phases:
                rows.append(county_phase(parts, Mapper(client, k, addresses), k))
                print(table(rows)[-1], flush=True)
            if "bound" in phases:
                rows.append(bound_phase(province, Mapper(client, k, addresses), k))
                print(table(rows)[-1], flush=True)
    except OSError as exc:
        raise SystemExit(f"cannot reach the Dask cluster: {exc}") from None
    rows.sort(key=lambda r: (r["phase"] != "county", r["workers"]))
    print()
    print("\n".join(table(rows)))
    for r in rows:
        if r["phase"] == "bound":
            print(f"bound, {r['workers']} workers: {r['rounds']} rounds, first "
                  f"{r['first_round']:.2f} s, last {r['last_round']:.2f} s, main process "
                  f"between rounds {r['between']:.1f} s")
    print()
    print("\n".join(extrapolation(rows)))


if __name__ == "__main__":
    main()
