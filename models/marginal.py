"""Marginal value of money: dual prices of the budget rows in the LP relaxation."""

from __future__ import annotations

import numpy as np

from .instance import Instance
from .mip.formulation import build


def budget_duals(inst: Instance) -> np.ndarray:
    """(B, Y) value per money unit of one more unit in pool b, year t (LP relaxation).

    For max_coverage: value gained; for min_cost: money saved.  Zero where the
    budget does not bind in the relaxation; NaN when the relaxation has no optimum (the
    hard rules cannot hold with this money)."""
    from .mip import highs

    model, _ = build(inst)
    try:
        duals = highs.lp_row_duals(model)
    except RuntimeError:
        return np.full((inst.n_pools, inst.n_years), np.nan)
    fam = next(f for f in model.families if f.name == "pool-budget")
    d = np.asarray(duals[fam.start: fam.start + fam.count]).reshape(inst.n_pools, inst.n_years)
    return np.abs(d)


def lp_bound(inst: Instance) -> float:
    """The LP relaxation's objective: an upper bound on the value (a lower bound on the
    cost for min_cost) of every plan."""
    from .mip import highs

    model, _ = build(inst)
    return highs.solve_relaxation(model)[0]
