"""One `solve()` for every backend.

Backends are registered by name and imported only when used; `available()`
probes them without failing.  Every backend returns the same `Result`: status
first, values only when a plan exists.
"""

from __future__ import annotations

import importlib
import time

import numpy as np

from .instance import VALUE_QUANTUM, Instance
from .mip.formulation import build
from .result import Result, SolveStatus, relative_gap

#: name -> module implementing run(model, **options) and version()
BACKENDS = {
    "highs": "models.mip.highs",
    "cbc": "models.mip.cbc",
    "cpsat": "models.cpsat.backend",
}
DEFAULT_BACKEND = "highs"
DEFAULTS = {"time_limit": 60.0, "gap": 1e-4, "threads": 1, "seed": 0}


class BackendError(ValueError):
    """Unknown or uninstalled backend."""


def _module(name: str):
    if name not in BACKENDS:
        raise BackendError(f"unknown solver {name!r}; installed: {', '.join(available())}")
    try:
        return importlib.import_module(BACKENDS[name])
    except ImportError as exc:
        raise BackendError(f"solver {name!r} is not installed ({exc}); installed: "
                           f"{', '.join(available())}") from None


def available() -> dict[str, str]:
    """Installed backends and their versions."""
    found = {}
    for name, path in BACKENDS.items():
        try:
            mod = importlib.import_module(path)
            if hasattr(mod, "available") and not mod.available():
                continue
            found[name] = mod.version()
        except Exception:  # a broken optional backend must not break the others
            continue
    return found


def decode(inst: Instance, layout, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start year index per project (-1: not chosen) and on-time flag per village."""
    start = np.full(inst.n_projects, -1, dtype=np.int64)
    chosen = values[layout.x] > 0.5
    start[layout.x_proj[chosen]] = layout.x_start[chosen]
    return start, on_time(inst, start)


def on_time(inst: Instance, start: np.ndarray) -> np.ndarray:
    """A village is on time when each exit-standard gap is closed by its due year."""
    finish = np.where(start >= 0, start + inst.proj_duration - 1, np.iinfo(np.int64).max)
    gap_finish = np.full(inst.n_gaps, np.iinfo(np.int64).max)
    np.minimum.at(gap_finish, inst.proj_gap, finish)
    late = inst.gap_exit & (gap_finish > inst.village_due[inst.gap_village])
    bad = np.zeros(inst.n_villages, dtype=bool)
    bad[inst.gap_village[late]] = True
    return ~bad


def plan_value(inst: Instance, start: np.ndarray) -> float:
    """The objective of a plan by the documented rule (no tie-break term)."""
    chosen = np.flatnonzero(start >= 0)
    finish = start[chosen] + inst.proj_duration[chosen] - 1
    if inst.objective == "min_cost":
        return float(inst.proj_pooled_units[chosen].sum() / inst.money_units)
    value = inst.gap_value(finish, inst.proj_gap[chosen]).sum()
    value += inst.bonus * on_time(inst, start).sum()
    closed_by = np.full(inst.n_gaps, np.iinfo(np.int64).max)
    np.minimum.at(closed_by, inst.proj_gap[chosen], finish)
    for d in inst.deadlines:
        if not d.soft:
            continue
        scope = np.zeros(inst.n_villages, dtype=bool)
        scope[d.villages] = True
        gaps = (inst.gap_target == d.target) & scope[inst.gap_village]
        met = len(d.villages) - int(gaps.sum()) + int((closed_by[gaps] <= d.year).sum())
        value -= round(inst.soft_penalty, 4) * max(0, d.required() - met)
    return float(round(value, 6))


def solve(inst: Instance, backend: str = DEFAULT_BACKEND, time_limit: float | None = None,
          gap: float | None = None, threads: int | None = None, seed: int | None = None,
          hint: np.ndarray | None = None, verbose: bool = False,
          elastic: str | None = None) -> Result:
    """Solve the planning program; `hint` is a start year per project (-1: not chosen)."""
    mod = _module(backend)
    opts = dict(DEFAULTS)
    opts.update({k: v for k, v in dict(time_limit=time_limit, gap=gap, threads=threads,
                                         seed=seed).items() if v is not None})
    t0 = time.perf_counter()
    model, layout = build(inst, elastic=elastic)
    build_seconds = time.perf_counter() - t0
    mip_hint = None
    if hint is not None and elastic is None:
        sel = hint[layout.x_proj] == layout.x_start
        mip_hint = (layout.x, sel.astype(float))
    status, values, objective, bound, seconds = mod.run(model, hint=mip_hint, verbose=verbose,
                                                       **opts)
    options = {**opts, "backend": backend, "elastic": elastic,
               "build_seconds": round(build_seconds, 4)}
    total = time.perf_counter() - t0
    if values is None:
        return Result.no_solution(status, backend, total, backend_version=mod.version(),
                                  options=options)
    start, ontime = decode(inst, layout, values)
    if elastic:
        slack = {(k, label): float(values[v]) for k, label, v in layout.slacks
                 if values[v] > 1e-6}
        res = Result(status=status, backend=backend, backend_version=mod.version(),
                     objective=objective, bound=bound, gap=relative_gap(objective, bound),
                     seconds=total, values=values, start=start, on_time=ontime, options=options)
        res.options["slack"] = slack
        return res
    value = plan_value(inst, start)
    # The model's bound includes the tie-break; widen it by the tie-break's largest size.
    if bound is not None:
        bound = bound + layout.tiebreak_max if model.maximize else bound - layout.tiebreak_max
        bound = max(bound, value) if model.maximize else min(bound, value)
        # Plan values are multiples of the quantum (costs: of one money unit), so a bound
        # closer than that proves the value optimal.
        step = VALUE_QUANTUM if inst.objective == "max_coverage" else 1.0 / inst.money_units
        if abs(bound - value) < step * 0.999:
            bound = value
    return Result(status=status, backend=backend, backend_version=mod.version(),
                  objective=value, bound=bound, gap=relative_gap(value, bound), seconds=total,
                  values=values, start=start, on_time=ontime, options=options)
