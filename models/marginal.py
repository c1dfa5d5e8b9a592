"""Marginal value of money: dual prices of the budget rows in the LP relaxation."""

from __future__ import annotations

import numpy as np

from .eligibility import work_county
from .formulation import build
from .instance import Instance


def budget_duals(inst: Instance) -> np.ndarray:
    """(B, Y) value per money unit of one more unit in pool b, year t (LP relaxation).

    For max_coverage: value gained; for min_cost: money saved.  Zero where the
    budget does not bind in the relaxation; NaN when the relaxation has no optimum (the
    hard rules cannot hold with this money)."""
    from .backends import highs

    model, _ = build(inst)
    try:
        duals = highs.lp_row_duals(model)
    except RuntimeError:
        return np.full((inst.n_pools, inst.n_years), np.nan)
    fam = next(f for f in model.families if f.name == "pool-budget")
    d = np.asarray(duals[fam.start: fam.start + fam.count]).reshape(inst.n_pools, inst.n_years)
    return np.abs(d)


def lp_relaxation(inst: Instance, threads: int | None = None,
                  time_limit: float | None = None, counts: bool = False):
    """(objective, (B, C, Y) money of pool b the LP relaxation spends on county c in year t)
    and, with `counts`, (C, batches) its villages of each exit batch on time per county and
    (batches,) the value of one more village of each on time (the floor rows' duals, 0
    without a floor).  RuntimeError when it is not solved to optimality (e.g. within
    `time_limit`)."""
    from .backends import highs

    model, layout = build(inst)
    objective, duals, cols = highs.solve_relaxation(model, threads, time_limit=time_limit)
    county = work_county(inst)
    class_county = np.full(layout.classes.max() + 1 if len(layout.classes) else 0, -1)
    class_county[layout.classes] = county
    use = np.zeros((inst.n_pools, len(inst.county_names), inst.n_years))
    pairs, flows = layout.flow_pairs, cols[layout.flow_vars] * layout.flow_units[:, None]
    np.add.at(use, (pairs[:, 1], class_county[pairs[:, 0]]), flows)
    if not counts:
        return objective, use
    o = np.ones(inst.n_villages)  # a village without an exit-standard gap is on time
    o[layout.o_village] = cols[layout.o] if len(layout.o) else 0.0
    per = np.zeros((len(inst.county_names), len(inst.batches)))
    prices = np.zeros(len(inst.batches))
    rows = {f.name: f.start for f in model.families}
    for i, b in enumerate(inst.batches):
        np.add.at(per[:, i], inst.village_county[b], o[b])
        row = rows.get(f"batch-floor-{inst.batch_labels[i]}")
        prices[i] = abs(duals[row]) if row is not None else 0.0
    return objective, use, per, prices
