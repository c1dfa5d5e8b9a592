"""The funds table: per fund stream, year and county, the budget, what came in (carried
over, revolving money returned), what the plan spent, what it carried on or left
unused, and the outside money it unlocked.  A stream's reserved part (planner.build)
is a pool of its own and is reported together with the rest of the stream."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.instance import Instance
from models.money import from_units
from models.result import Result

from ..scenario import Scenario


def funds_table(scn: Scenario, inst: Instance, result: Result, alloc: np.ndarray,
                outside: np.ndarray) -> pd.DataFrame:
    """`alloc`, `outside`: models.funding.allocate's rows (project, pool, year, units)."""
    years = inst.years
    spent = np.zeros((inst.n_pools, inst.n_years), dtype=np.int64)
    if len(alloc):
        np.add.at(spent, (alloc[:, 1], alloc[:, 2]), alloc[:, 3])
    freed = np.zeros((inst.n_pools, inst.n_years), dtype=np.int64)
    if len(outside):
        np.add.at(freed, (outside[:, 1], outside[:, 2]), outside[:, 3])
    rows = []
    for b in range(inst.n_pools):
        carried = 0
        back = np.zeros(inst.n_years, dtype=np.int64)  # revolving money coming back
        if inst.revolving[b]:
            k, share = int(inst.pool_return_after[b]), float(inst.pool_return_share[b])
            back[k:] = np.floor(share * spent[b, : inst.n_years - k] + 1e-9).astype(np.int64)
        for ti in range(inst.n_years):
            budget = int(inst.pool_budget_units[b, ti])
            avail = budget + carried + int(back[ti])
            left = avail - int(spent[b, ti])
            out = left if (inst.pool_carry[b, ti] and ti + 1 < inst.n_years) else 0
            county = inst.pool_county[b]
            rows.append({
                "stream": inst.pool_stream[b],
                "year": int(years[ti]),
                "county": inst.county_names[county] if county >= 0 else "",
                "budget": from_units(budget), "carried_in": from_units(carried),
                "returned": from_units(back[ti]),
                "spent": from_units(spent[b, ti]), "carried_out": from_units(out),
                "outside": from_units(freed[b, ti]),
                "unused": from_units(left - out),
            })
            carried = out
    return pd.DataFrame(rows).groupby(["stream", "year", "county"], sort=False,
                                      as_index=False).sum()
