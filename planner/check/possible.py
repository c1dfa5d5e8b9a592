"""Which planned villages could be on time at all, recomputed from the inputs alone
(villages.csv `on_time_possible`), by the README's rule: each exit-standard gap has
works that are not locked out (nor waiting on a work of a relocated village), that a
fund may pay for (or that need no pooled money), and that can finish by the due year
from their earliest start; a cumulative gap needs such works adding up to its
quantity."""

from __future__ import annotations

import numpy as np

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
    p = inp.projects
    village_of = dict(zip(p["project_id"].astype(str), p["village_id"].astype(str)))
    ok_work: dict[tuple, list] = {}
    for r in p.itertuples(index=False):
        vid = str(r.village_id)
        if vid not in due or str(r.project_id) in inp.lock_out:
            continue
        if any(village_of.get(str(q)) not in due for q in (r.requires or [])):
            continue  # waits on a work no plan can have (a relocated village's)
        pooled = round(float(r.cost) * (1 - float(r.self_share)) * MONEY_UNITS)
        streams = list(r.streams or [])
        payable = pooled == 0 or any(
            (not streams or stream in streams) and (not where or where == county[vid])
            and ("*" in targets or r.target in targets)
            for stream, where, targets in shared + of_county.get(county[vid], []))
        latest = min(int(r.latest_year), last - int(r.duration) + 1)
        timely = (int(r.earliest_year) + int(r.duration) - 1 <= due[vid]
                  and int(r.earliest_year) <= latest)
        if payable and timely:
            ok_work.setdefault((vid, str(r.target)), []).append(r.contributes)
    g = inp.gaps
    out = {vid: True for vid in due}
    for r in g.itertuples(index=False):
        vid, target = str(r.village_id), str(r.target)
        if vid not in due or target not in inp.exit_standard:
            continue
        works = ok_work.get((vid, target), [])
        quantity = number(r.quantity)
        if np.isnan(quantity) or quantity <= 0:
            fine = bool(works)
        else:  # a blank `contributes` provides all of the quantity
            done = [number(c) for c in works]
            fine = sum(quantity if np.isnan(c) else c for c in done) >= quantity - 1e-9
        out[vid] = out[vid] and fine
    return out


def number(cell) -> float:
    """A cell as a float, NaN when blank or not a number."""
    try:
        return float(cell)
    except (TypeError, ValueError):
        return float("nan")
