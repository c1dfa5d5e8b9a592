"""Fairness between counties: on-time exit rates, and the best worst county first."""

from __future__ import annotations

import numpy as np

from .instance import Instance
from .params import SolveParams


def county_rates(inst: Instance, on_time: np.ndarray) -> dict[str, float]:
    """On-time exit rate of each county's planned villages."""
    out = {}
    for c in np.unique(inst.village_county):
        mine = inst.village_county == c
        out[inst.county_names[c]] = float(on_time[mine].mean())
    return out


def best_worst_rate(inst: Instance, params: SolveParams | None = None, **given):
    """(the highest on-time rate the worst county can reach, by a maximin solve, or None
    when that solve found no plan; the solve's status).  `params` and `given` as for
    `models.solve.solve`."""
    from .columns import decode
    from .solve import get_backend, run_model

    params = (params or SolveParams()).updated(**given)
    run = run_model(inst, get_backend(params.backend), params, None, False, maximin=True)
    status, values = run.solution.status, run.solution.values
    if values is None:
        return None, status
    _, on_time = decode(inst, run.layout, values)
    return min(county_rates(inst, on_time).values()), status
