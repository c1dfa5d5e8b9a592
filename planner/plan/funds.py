"""The funds table: per fund stream, year and county, the budget, what came in (carried
over, revolving money returned), what the plan spent, what it carried on or left
unused, and the outside money it unlocked.  A stream's reserved part (planner.build)
is a pool of its own and is reported together with the rest of the stream."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.instance import Instance
from models.ledger import balances, spent_by_pool
from models.money import from_units
from models.result import Result

from ..scenario import Scenario


def funds_table(scn: Scenario, inst: Instance, result: Result, alloc: np.ndarray,
                outside: np.ndarray) -> pd.DataFrame:
    """`alloc`, `outside`: models.funding.allocate's rows (project, pool, year, units);
    the pool-year figures are models.ledger's."""
    book = balances(inst, spent_by_pool(inst, alloc))
    freed = spent_by_pool(inst, outside)
    columns = ("budget", "carried_in", "returned", "spent", "carried_out")
    rows = []
    for b in range(inst.n_pools):
        county = inst.pool_county[b]
        for ti in range(inst.n_years):
            rows.append({
                "stream": inst.pool_stream[b],
                "year": int(inst.years[ti]),
                "county": inst.county_names[county] if county >= 0 else "",
                **{c: from_units(book[c][b, ti]) for c in columns},
                "outside": from_units(freed[b, ti]),
                "unused": from_units(book["unused"][b, ti]),
            })
    return pd.DataFrame(rows).groupby(["stream", "year", "county"], sort=False,
                                      as_index=False).sum()
