"""Backends side by side: python benchmarks/backends.py [--quick]

For scenarios/demo-county and a generated 1,000-village / 6-county scenario (seed 1),
each installed backend solves once in its own spawned process (so ru_maxrss is that
solve's peak memory), started from the planner's warm start (the LP-guided dive,
models/dive.py, computed with HiGHS in that process before the clock starts).  Times to
first plan / 1% / 0.1% gap come from HiGHS callbacks;
CP-SAT and CBC report 'n/a' for them here (only the end state is measured).
"""

from __future__ import annotations

import multiprocessing as mp
import platform
import resource
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _one(folder: str, backend: str, limit: float, queue) -> None:
    from models.dive import lp_dive
    from models.greedy import greedy
    from models.solve import solve
    from planner.build import build_instance
    from planner.scenario import load_scenario

    inst = build_instance(load_scenario(folder))
    hint = lp_dive(inst, time_limit=2.0)  # the planner's own warm start (HiGHS LP dive)
    trace = []
    t0 = time.perf_counter()
    res = solve(inst, backend=backend, time_limit=limit,
                hint=hint if hint is not None else greedy(inst),
                progress=lambda s, o, b: trace.append((time.perf_counter() - t0, o, b)),
                tie_break=False)

    def first(gap):
        for t, o, b in trace:
            if abs(o) < 1e300 and abs(b) < 1e300 and abs(b - o) / max(abs(o), 1e-9) <= gap:
                return round(t, 2)
        return None

    feas = next((round(t, 2) for t, o, _ in trace if abs(o) < 1e300), None)
    queue.put(dict(build=res.options.get("build_seconds"), first=feas, g1=first(0.01),
                   g01=first(0.001), value=res.objective, bound=res.bound, gap=res.gap,
                   seconds=res.seconds, traced=backend == "highs",
                   rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main(quick: bool) -> None:
    from models.greedy import greedy_value
    from models.solve import available
    from planner.build import build_instance
    from planner.generate import generate
    from planner.scenario import load_scenario

    limit = 15.0 if quick else 60.0
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    generate(tmp / "gen", villages=1000, counties=6, seed=1)
    scenarios = {"demo-county": ROOT / "scenarios" / "demo-county", "gen-1000v-6c": tmp / "gen"}
    ctx = mp.get_context("spawn")
    versions = ", ".join(f"{p} {metadata.version(p)}"
                         for p in ("highspy", "ortools", "PuLP", "numpy"))
    print(f"time limit {limit:.0f} s; {platform.python_version()}; nproc {mp.cpu_count()}; "
          + versions)
    head = ("scenario", "backend", "build s", "first s", "1% s", "0.1% s", "value", "bound",
            "gap", "peak MB", "greedy", "value/greedy")
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    fmt = lambda v, f="{:.2f}": "n/a" if v is None else f.format(v)
    for name, folder in scenarios.items():
        inst = build_instance(load_scenario(folder))
        t = time.perf_counter()
        g = greedy_value(inst)
        gs = time.perf_counter() - t
        for backend in available():
            q = ctx.Queue()
            proc = ctx.Process(target=_one, args=(str(folder), backend, limit, q))
            proc.start()
            r = q.get()
            proc.join()
            na = lambda v, r=r: fmt(v) if r["traced"] else "n/a"
            print("| " + " | ".join([
                name, backend, fmt(r["build"], "{:.3f}"), na(r["first"]), na(r["g1"]),
                na(r["g01"]), fmt(r["value"], "{:.1f}"), fmt(r["bound"], "{:.1f}"),
                fmt(r["gap"], "{:.3%}"), f"{r['rss_mb']:.0f}", f"{g:.1f} ({gs:.2f} s)",
                fmt(None if r["value"] is None else r["value"] / g, "{:.3f}")]) + " |",
                flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main("--quick" in sys.argv[1:])
