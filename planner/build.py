"""Scenario tables -> models.Instance.

The money rule lives here: every amount becomes whole *units* of
1/`MONEY_UNITS` of the scenario's money unit (one yuan when the unit is 万元).
A budget is rounded down to whole units; a project's cost is split over its
duration by its cost profile with the largest-remainder rule so the years add
up to the rounded total, and each year's pooled part is
round((1 - self_share) * that year's cost).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.instance import DeadlineSpec, Instance

from .scenario import Scenario

MONEY_UNITS = 10_000  # units per scenario money unit: 1 yuan per 万元


def split_units(total: np.ndarray, profile: np.ndarray) -> np.ndarray:
    """Split integer totals (P,) by row shares (P, D) into integers that add up exactly."""
    raw = total[:, None] * profile
    base = np.floor(raw + 1e-9).astype(np.int64)
    short = total - base.sum(axis=1)
    # give the remaining units to the largest remainders, earliest year first on ties
    order = np.argsort(-(raw - base), axis=1, kind="stable")
    rank = np.argsort(order, axis=1, kind="stable")
    return base + (rank < short[:, None]).astype(np.int64)


def build_instance(scn: Scenario) -> Instance:
    years = np.asarray(scn.years, dtype=np.int64)
    Y = len(years)
    first = int(years[0])

    v = scn.villages[~scn.villages["relocated"].astype(bool)].reset_index(drop=True)
    county_names = tuple(sorted(set(scn.villages["county"])))
    county_idx = {c: i for i, c in enumerate(county_names)}
    vidx = {vid: i for i, vid in enumerate(v["village_id"])}
    due = np.clip(v["exit_year"].to_numpy(dtype=np.int64), first, years[-1]) - first

    codes = tuple(scn.targets)
    tidx = {c: i for i, c in enumerate(codes)}
    g = scn.gaps[scn.gaps["village_id"].isin(vidx)].reset_index(drop=True)
    gap_village = g["village_id"].map(vidx).to_numpy(dtype=np.int64)
    gap_target = g["target"].map(tidx).to_numpy(dtype=np.int64)
    own_weight = pd.to_numeric(g["weight"], errors="coerce")
    target_weight = g["target"].map(scn.target_weight)
    gap_weight = own_weight.fillna(target_weight).to_numpy(dtype=float)
    gap_exit = g["target"].isin(scn.exit_standard).to_numpy()
    gidx = {key: i for i, key in enumerate(zip(g["village_id"], g["target"]))}

    p = scn.projects[scn.projects["village_id"].isin(vidx)].reset_index(drop=True)
    P = len(p)
    pidx = {pid: i for i, pid in enumerate(p["project_id"])}
    proj_gap = np.array([gidx[k] for k in zip(p["village_id"], p["target"])], dtype=np.int64)
    duration = p["duration"].to_numpy(dtype=np.int64)
    dmax = int(duration.max()) if P else 1
    profile = np.zeros((P, dmax))
    for i, prof in enumerate(p["cost_profile"]):
        profile[i, : len(prof)] = prof
    cost_total = np.round(p["cost"].to_numpy(dtype=float) * MONEY_UNITS).astype(np.int64)
    cost_units = split_units(cost_total, profile)
    self_share = p["self_share"].to_numpy(dtype=float)
    pooled_units = np.round((1 - self_share)[:, None] * cost_units).astype(np.int64)
    earliest = p["earliest_year"].to_numpy(dtype=np.int64) - first
    latest = np.minimum(p["latest_year"].to_numpy(dtype=np.int64) - first, Y - duration)

    # money pools: one per (stream, county-or-pooled)
    f = scn.funds
    pools = f.drop_duplicates(["stream", "county"])[["stream", "county", "targets"]]
    pools = pools.reset_index(drop=True)
    B = len(pools)
    budget = np.zeros((B, Y), dtype=np.int64)
    carry = np.ones((B, Y), dtype=bool)
    key = {k: i for i, k in enumerate(zip(pools["stream"], pools["county"]))}
    for r in f.itertuples():
        b, t = key[(r.stream, r.county)], r.year - first
        budget[b, t] += int(np.floor(r.amount * MONEY_UNITS + 1e-6))
        carry[b, t] = bool(r.carry_over)
    pool_county = np.array([county_idx[c] if c else -1 for c in pools["county"]], dtype=np.int64)
    ret_after = np.zeros(B, dtype=np.int64)
    ret_share = np.zeros(B)
    leverage = np.zeros(B)
    limit = np.full((B, Y), -1, dtype=np.int64)
    for r in f.itertuples():
        if r.leverage is not None and not pd.isna(r.leverage):
            b = key[(r.stream, r.county)]
            leverage[b] = float(r.leverage)
            if r.outside_limit is not None and not pd.isna(r.outside_limit):
                limit[b, r.year - first] = int(np.floor(r.outside_limit * MONEY_UNITS + 1e-6))
    for r in f.itertuples():  # a revolving stream gives the same on every row (validated)
        if r.returns_after is not None and not pd.isna(r.returns_after):
            b = key[(r.stream, r.county)]
            ret_after[b] = int(r.returns_after)
            share = r.return_share
            ret_share[b] = 1.0 if share is None or pd.isna(share) else float(share)

    proj_county = v["county"].map(county_idx).to_numpy()[p["village_id"].map(vidx).to_numpy()] \
        if P else np.zeros(0, dtype=np.int64)
    eligible = np.zeros((P, B), dtype=bool)
    stream_ok = {st: np.array([not s or st in s for s in p["streams"]], dtype=bool)
                 for st in set(pools["stream"])}
    target_ok = {}
    for b, r in enumerate(pools.itertuples()):
        ok = stream_ok[r.stream].copy()
        if r.county:
            ok &= proj_county == pool_county[b]
        if "*" not in r.targets:
            key_t = tuple(sorted(r.targets))
            if key_t not in target_ok:
                target_ok[key_t] = p["target"].isin(r.targets).to_numpy()
            ok &= target_ok[key_t]
        eligible[:, b] = ok

    deep_proj = v["deep_poverty"].astype(bool).to_numpy()[p["village_id"].map(vidx).to_numpy()] \
        if P else np.zeros(0, dtype=bool)

    # cumulative gaps: quantity > 0; a work's blank `contributes` provides all of it
    quantity = pd.to_numeric(g["quantity"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    own = pd.to_numeric(p["contributes"], errors="coerce").to_numpy(dtype=float)
    contrib = np.where(np.isnan(own), quantity[proj_gap] if P else own, own) if P \
        else np.zeros(0)
    contrib = np.where(quantity[proj_gap] > 0, contrib, 1.0) if P else contrib

    groups = {name: i for i, name in enumerate(sorted(set(p["alternative_group"]) - {""}))}
    proj_group = np.array([groups.get(a, -1) for a in p["alternative_group"]], dtype=np.int64)
    lock_in = np.array(p["project_id"].isin(scn.lock_in), dtype=bool)
    lock_out = np.array(p["project_id"].isin(scn.lock_out), dtype=bool)
    requires = []
    for i, reqs in enumerate(p["requires"]):
        for q in reqs:
            if q in pidx:
                requires.append((i, pidx[q]))
            else:  # the prerequisite's village is relocated or excluded
                lock_out[i] = True
    lock_out &= ~lock_in  # a locked-in project keeps its lock; infeasibility is reported

    deadlines = []
    deep = v["deep_poverty"].astype(bool).to_numpy()
    for d in scn.deadlines:
        if d.scope == "all":
            scope = np.arange(len(v))
        elif d.scope == "deep_poverty":
            scope = np.flatnonzero(deep)
        else:
            scope = np.flatnonzero(v["county"].isin(d.scope).to_numpy())
        deadlines.append(DeadlineSpec(d.label(), tidx[d.target], d.year - first,
                                      scope.astype(np.int64), d.share, d.soft))

    inst = Instance(
        years=years,
        objective=scn.objective,
        village_ids=tuple(v["village_id"]),
        village_county=v["county"].map(county_idx).to_numpy(dtype=np.int64),
        village_due=due.astype(np.int64),
        village_deep=deep,
        county_names=county_names,
        target_codes=codes,
        gap_village=gap_village,
        gap_target=gap_target,
        gap_weight=gap_weight,
        gap_exit=gap_exit,
        project_ids=tuple(p["project_id"]),
        proj_gap=proj_gap,
        proj_duration=duration,
        proj_cost_units=cost_units,
        proj_pooled_units=pooled_units,
        proj_earliest=earliest,
        proj_latest=latest,
        proj_pools=eligible,
        proj_group=proj_group,
        requires=np.array(requires, dtype=np.int64).reshape(-1, 2),
        lock_in=lock_in,
        lock_out=lock_out,
        pool_stream=tuple(pools["stream"]),
        pool_county=pool_county,
        pool_budget_units=budget,
        pool_carry=carry,
        deadlines=tuple(deadlines),
        late_factor=scn.weights["late_factor"],
        on_time_bonus=scn.weights["on_time_bonus"],
        soft_penalty=scn.weights["soft_deadline_penalty"],
        pool_leverage=leverage,
        pool_outside_limit=limit,
        pool_return_after=ret_after,
        pool_return_share=ret_share,
        gap_quantity=quantity,
        proj_contrib=contrib,
        partial_credit=scn.partial_credit,
        max_spread=scn.fairness.get("max_spread"),
        min_rate=scn.fairness.get("min_rate"),
        money_units=MONEY_UNITS,
        meta={"name": scn.name},
    )
    return reserve_parts(inst, scn.reserve, deep_proj)


def reserve_parts(inst: Instance, reserve: list, deep_proj: np.ndarray) -> Instance:
    """A reserved share of a stream (for deep-poverty villages) as a pool of its own:
    floor(share x money) of each year (and of the outside limit), which only the works
    of deep-poverty villages may use; the rest stays open to all."""
    original = inst.n_pools  # a second reserve of one stream cuts the open part only
    for res in reserve:
        parts = [b for b in range(original) if inst.pool_stream[b] == res["stream"]]
        if not parts:
            continue
        index = np.concatenate([np.arange(inst.n_pools), parts])
        cut = inst.take_pools(index)
        for i, b in enumerate(parts):
            part = inst.n_pools + i
            share = np.floor(inst.pool_budget_units[b] * res["share"] + 1e-9).astype(np.int64)
            cut["pool_budget_units"][b] -= share
            cut["pool_budget_units"][part] = share
            cut["proj_pools"][:, part] &= deep_proj
            limit = inst.pool_outside_limit
            if limit is not None:
                lim = np.where(limit[b] >= 0, np.floor(limit[b] * res["share"] + 1e-9), -1)
                cut["pool_outside_limit"][b] = np.where(limit[b] >= 0, limit[b] - lim, -1)
                cut["pool_outside_limit"][part] = lim
        inst = inst.replace(**cut)
    return inst
