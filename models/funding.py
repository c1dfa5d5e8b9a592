"""Which pool pays for which project in which year, in whole money units.

The model aggregates money flows per eligibility class; once the starts are
fixed, the split per project is a transportation problem with integer data,
solved exactly here as a min-cost flow (integral by total unimodularity).
Cheaper arcs say which money a planner would spend first: money that would
otherwise lapse this year, then the pools that fewer projects may use.
"""

from __future__ import annotations

import numpy as np

from .eligibility import breadth, pairs
from .instance import Instance
from .ledger import carries, work_years


class FundingError(RuntimeError):
    """The chosen starts cannot be paid from the pools (the plan is not feasible)."""


def allocate(inst: Instance, start: np.ndarray, flows: dict | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
    """(pool money, outside money): (K, 4) int64 rows (project, pool, year index, units).

    A revolving pool pays out exactly what the solve lent from it each year
    (flows["lent"], whole units), since the money that comes back depends on it; its
    ledger (budget, carry-over, returns) was kept by the solve itself.  A levering
    pool's money and the outside money it unlocks go to each work as the solve decided
    (`_lever`: per work and year, within the ratio); the min-cost flow pays the rest
    from the other pools."""
    chosen = np.flatnonzero(start >= 0)
    row, _, year, units = work_years(inst, chosen, start[chosen])
    proj = chosen[row]
    if (inst.revolving.any() or inst.levering.any()) and flows is None:
        raise FundingError("a revolving or levering pool needs the solve's whole-unit flows")
    lever_rows, outside_rows = _lever(inst, proj, year, units, flows)
    pool_rows = _flow(inst, proj, year, units, flows)
    return np.concatenate([pool_rows, lever_rows]), outside_rows


def _lever(inst, proj, year, units, flows):
    """The levering pools' money and the outside money it unlocks, per work and year as
    the solve decided it (the ratio is kept per work there); `units` (the remaining
    demand) is reduced in place."""
    empty = np.zeros((0, 4), dtype=np.int64)
    if flows is None or not len(flows["lever"]):
        return empty, empty
    pos = {(p, t): i for i, (p, t) in enumerate(zip(proj, year))}
    paid, outside = [], []
    for p, b, t, money, unlocked in flows["lever"]:
        i = pos.get((p, t))
        if i is None or money + unlocked > units[i]:
            raise FundingError(f"levering pool {inst.pool_stream[b]} pays more than work "
                               f"{inst.project_ids[p]} needs in year {inst.years[t]}")
        if money:
            paid.append((p, b, t, money))
        if unlocked:
            outside.append((p, b, t, unlocked))
        units[i] -= money + unlocked
    as_rows = lambda rows: np.array(rows, dtype=np.int64).reshape(-1, 4)
    return as_rows(paid), as_rows(outside)


def _flow(inst, proj, year, units, flows) -> np.ndarray:
    """The rest of the demand paid from the other pools by a min-cost flow."""
    from ortools.graph.python import min_cost_flow

    keep = units > 0
    proj, year, units = proj[keep], year[keep], units[keep]
    lent = flows["lent"] if flows is not None else None
    Y, B = inst.n_years, inst.n_pools
    n_dem = len(proj)
    if n_dem == 0:
        return np.zeros((0, 4), dtype=np.int64)
    supply = inst.pool_budget_units.astype(np.int64).copy()
    revolving = inst.revolving
    supply[revolving] = lent[revolving] if revolving.any() else 0
    supply[inst.levering] = 0  # handed out by _lever
    revolving = revolving | inst.levering  # no carry or unused arcs either
    total_supply, total_demand = int(supply.sum()), int(units.sum())
    if total_demand > total_supply:
        raise FundingError("the plan spends more money than all pools hold")
    # nodes: pools-years 0..B*Y-1, demands B*Y.., sink last
    sink = B * Y + n_dem
    flow = min_cost_flow.SimpleMinCostFlow()
    big = total_supply
    rank = np.argsort(np.argsort(breadth(inst), kind="stable"), kind="stable")
    tails, heads, caps, costs = [], [], [], []

    def arc(tail, head):
        tails.append(tail)
        heads.append(head)
        caps.append(big)
        costs.append(0)

    keeps = carries(inst)
    for b in np.flatnonzero(~revolving):  # carry arcs and the unused-money arc
        for t in range(Y):
            if keeps[b, t]:
                arc(b * Y + t, b * Y + t + 1)
            arc(b * Y + t, sink)
    d_idx, b_idx = pairs(inst, proj, ~inst.levering)
    # a preference, not the ledger: money of a year whose row says carry_over is spent
    # after money whose row says it lapses (kept as it was: plans stay byte-identical)
    arc_cost = np.where(inst.pool_carry[b_idx, year[d_idx]], 2 * B, 0) + rank[b_idx] + 1
    tails.extend((b_idx * Y + year[d_idx]).tolist())
    heads.extend((B * Y + d_idx).tolist())
    caps.extend(units[d_idx].tolist())
    costs.extend(arc_cost.tolist())
    flow.add_arcs_with_capacity_and_unit_cost(
        np.asarray(tails, dtype=np.int32), np.asarray(heads, dtype=np.int32),
        np.asarray(caps, dtype=np.int64), np.asarray(costs, dtype=np.int64))
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[: B * Y] = supply.ravel()
    supplies[B * Y: sink] = -units
    supplies[sink] = -(total_supply - total_demand)
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise FundingError(f"the chosen projects cannot be paid from the eligible pools "
                           f"(min-cost flow status {status})")
    n_fixed = len(tails) - len(d_idx)
    arcs = np.arange(n_fixed, len(tails))
    paid = np.asarray(flow.flows(arcs), dtype=np.int64)
    sel = paid > 0
    return np.column_stack([proj[d_idx[sel]], b_idx[sel], year[d_idx[sel]], paid[sel]])
