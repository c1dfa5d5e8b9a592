"""Which planned villages could be on time at all, recomputed from the inputs alone
(villages.csv `on_time_possible`), by the README's rule: each exit-standard gap has
works that are not locked out (nor waiting on a work of a relocated village), that a
fund may pay for (or that need no pooled money), and that can finish by the due year
from their earliest start; a cumulative gap needs such works adding up to its
quantity.

Worked out a column at a time: whether a fund may pay is asked once per distinct
(county, target, streams) of the works, and a cumulative gap's works are added up in
the order of projects.csv (np.add.at adds in order, as a loop over the rows would)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .report import MONEY_UNITS


def possible_on_time(inp, first: int, last: int) -> dict[str, bool]:
    """village id -> whether it could be on time (planned villages only)."""
    v = inp.villages
    planned = v[~v["relocated"].astype(bool)]
    county = dict(zip(v["village_id"].astype(str), v["county"].astype(str)))
    due = {str(i): max(int(y), first) for i, y in zip(planned["village_id"],
                                                      planned["exit_year"])}
    pools = [(str(st), str(c or ""), set(t)) for st, c, t in inp.funds[
        ["stream", "county", "targets"]].drop_duplicates(["stream", "county"]).itertuples(
        index=False)]
    # a pool of another county can pay none of a village's works: look at the shared
    # pools and the village's county's own (the same answer as trying every pool)
    of_county: dict[str, list] = {}
    for pool in pools:
        of_county.setdefault(pool[1], []).append(pool)
    shared = of_county.get("", [])

    def payable(where: str, target, streams: tuple) -> bool:
        return any((not streams or stream in streams) and (not w or w == where)
                   and ("*" in targets or target in targets)
                   for stream, w, targets in shared + of_county.get(where, []))

    p = inp.projects
    pid = p["project_id"].astype(str).to_numpy(dtype=object)
    vid = p["village_id"].astype(str).to_numpy(dtype=object)
    village_of = dict(zip(pid, vid))
    row_due = pd.Series(vid).map(due).to_numpy(dtype=float)  # NaN: not a planned village
    keep = ~np.isnan(row_due) & ~pd.Series(pid).isin(list(inp.lock_out)).to_numpy()
    # a work waiting on a work no plan can have (a relocated village's, or none)
    keep &= np.array([not any(village_of.get(str(q)) not in due for q in (req or []))
                      for req in p["requires"]], dtype=bool)
    duration = p["duration"].astype(np.int64).to_numpy()
    earliest = p["earliest_year"].astype(np.int64).to_numpy()
    latest = np.minimum(p["latest_year"].astype(np.int64).to_numpy(), last - duration + 1)
    keep &= (earliest + duration - 1 <= np.where(np.isnan(row_due), 0, row_due)) \
        & (earliest <= latest)
    pooled = np.rint(p["cost"].astype(float).to_numpy()
                     * (1 - p["self_share"].astype(float).to_numpy()) * MONEY_UNITS)
    idx = np.flatnonzero(keep & (pooled != 0))
    if len(idx):  # the rest need no pooled money
        where = [county[i] for i in vid[idx]]
        target = p["target"].to_numpy(dtype=object)[idx]
        streams = [tuple(s or ()) for s in p["streams"].to_numpy(dtype=object)[idx]]
        asked: dict[tuple, bool] = {}
        ok = [asked[k] if k in asked else asked.setdefault(k, payable(*k))
              for k in zip(where, target, streams)]
        keep[idx] = ok
    ok_rows = np.flatnonzero(keep)
    works = pd.DataFrame({"village_id": vid[ok_rows],
                          "target": p["target"].astype(str).to_numpy(dtype=object)[ok_rows],
                          "contributes": numbers(p["contributes"])[ok_rows],
                          "order": ok_rows})

    g = inp.gaps
    gaps = pd.DataFrame({"village_id": g["village_id"].astype(str).to_numpy(dtype=object),
                         "target": g["target"].astype(str).to_numpy(dtype=object),
                         "quantity": numbers(g["quantity"])})
    gaps = gaps[gaps["village_id"].isin(list(due))
                & gaps["target"].isin(inp.exit_standard)].reset_index(drop=True)
    gaps["gap"] = np.arange(len(gaps))
    pairs = gaps.merge(works, on=["village_id", "target"], how="inner") \
        .sort_values(["gap", "order"], kind="stable")
    gap_of = pairs["gap"].to_numpy(dtype=np.int64)
    n_works = np.bincount(gap_of, minlength=len(gaps))
    done = np.zeros(len(gaps))
    # a blank `contributes` provides all of the quantity
    np.add.at(done, gap_of, np.where(np.isnan(pairs["contributes"].to_numpy(dtype=float)),
                                     pairs["quantity"].to_numpy(dtype=float),
                                     pairs["contributes"].to_numpy(dtype=float)))
    quantity = gaps["quantity"].to_numpy(dtype=float)
    plain = np.isnan(quantity) | (quantity <= 0)
    fine = np.where(plain, n_works > 0, done >= quantity - 1e-9)
    late = set(gaps.loc[~fine, "village_id"])
    return {i: i not in late for i in due}


def numbers(column: pd.Series) -> np.ndarray:
    """A column's cells as floats, NaN where blank or not a number."""
    try:  # None as NaN, every other cell by float(), as number() does
        return column.astype(float).to_numpy()
    except (TypeError, ValueError):
        return np.array([number(c) for c in column], dtype=float)


def number(cell) -> float:
    """A cell as a float, NaN when blank or not a number."""
    try:
        return float(cell)
    except (TypeError, ValueError):
        return float("nan")
