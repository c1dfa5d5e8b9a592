"""Between a plan (a start year per work) and the model's columns.

`decode` reads the start years (and the villages on time) from a solution's columns;
`mapped_hint` writes a plan's start columns, `complete_plan` every other column for
those starts (flows, carry-over, on-time flags), so that a plan can be handed to a
backend as a full solution; `whole_flows` keeps the money a solve holds in whole units.
"""

from __future__ import annotations

import numpy as np

from .evaluate import on_time
from .instance import Instance
from .params import SolveParams


def decode(inst: Instance, layout, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start year index per project (-1: not chosen) and on-time flag per village."""
    start = np.full(inst.n_projects, -1, dtype=np.int64)
    chosen = values[layout.x] > 0.5
    start[layout.x_proj[chosen]] = layout.x_start[chosen]
    return start, on_time(inst, start)


def whole_flows(inst: Instance, layout, values: np.ndarray) -> dict | None:
    """The money the solve holds in whole units, which the per-project split must keep:
    "lent": (B, Y) what each revolving pool pays out per year; "lever": rows (project,
    pool, year, pool money, outside money) of the levering pools, per work (the ratio is
    a rule of each work).  None when no pool revolves or levers."""
    if not (inst.revolving.any() or inst.levering.any()):
        return None
    lent = np.zeros((inst.n_pools, inst.n_years), dtype=np.int64)
    pairs = layout.flow_pairs
    rev = inst.revolving[pairs[:, 1]]
    units = np.rint(values[layout.flow_vars] * layout.flow_units[:, None]).astype(np.int64)
    np.add.at(lent, pairs[rev, 1], units[rev])
    lv = layout.lever_vars
    money = np.rint(values[lv[:, 3]]).astype(np.int64)
    outside = np.rint(values[lv[:, 4]]).astype(np.int64)
    used = (money > 0) | (outside > 0)
    rows = np.column_stack([lv[:, :3], money, outside])[used]
    return {"lent": lent, "lever": rows.reshape(-1, 5)}


def mapped_hint(inst: Instance, layout, hint: np.ndarray) -> np.ndarray:
    """The x values of a start-year hint.  A hinted start that presolve dropped as
    dominated becomes the project's next kept start (the same class,
    models.formulation.presolve)."""
    key = layout.x_proj * (inst.n_years + 1) + layout.x_start
    chosen = np.flatnonzero(hint >= 0)
    pos = np.searchsorted(key, chosen * (inst.n_years + 1) + hint[chosen])
    ok = pos < len(key)
    ok[ok] = layout.x_proj[pos[ok]] == chosen[ok]
    val = np.zeros(len(layout.x))
    val[pos[ok]] = 1.0
    return val


def complete_plan(model, layout, x_values: np.ndarray, time_limit: float = 5.0,
                  threads: int | None = None) -> np.ndarray | None:
    """Every variable of the model for fixed starts: the money flows, carry-over, on-time
    flags, cumulative progress and slacks, found by HiGHS with the starts fixed (a small
    program: only flows of revolving and levering pools are integer).  None when the
    starts cannot be paid or break a hard rule: then they are no plan."""
    from .backends import highs

    lb, ub = model.lb[0].copy(), model.ub[0].copy()
    if np.any(x_values > ub + 1e-9):
        return None
    model.lb[0], model.ub[0] = x_values.copy(), x_values.copy()
    try:
        values = highs.BACKEND.solve(
            model, SolveParams(time_limit=max(time_limit, 0.05), gap=1e-6, threads=threads,
                               seed=None)
        ).values
    finally:
        model.lb[0], model.ub[0] = lb, ub
    if values is None:
        return None
    # within the bounds exactly, integers whole: a hint some backends take literally
    integer = np.concatenate(model.integer)
    values = np.where(integer, np.round(values), values)
    return np.clip(values, np.concatenate(model.lb), np.concatenate(model.ub))
