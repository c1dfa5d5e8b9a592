"""Scenario tables -> models.Instance, one function per entity.

Each function reads its table and returns the Instance fields it owns:
`villages` (planned villages, counties, exit years), `gaps` (targets, weights,
the exit standard), `works` (durations, costs, start windows), `pools` (budgets,
carry-over, revolving and levering rules), `eligibility` (which pool may pay
which work), `cumulative` (gaps closed by several works), `rules` (alternatives,
locks, prerequisites) and `deadlines`.  The money rules themselves (whole
units, cost profiles, self share, reserves) are `models.money` and
`models.ledger`'s; here they are only called.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.eligibility import classify
from models.instance import DeadlineSpec, Instance
from models.ledger import reserve_parts, work_costs
from models.money import UNITS, to_units_floor, to_units_round

from .scenario import Scenario


@dataclass
class Tables:
    """The rows that enter the instance and the lookups between them."""

    scn: Scenario
    first: int
    n_years: int
    v: pd.DataFrame  # planned (not relocated) villages
    g: pd.DataFrame  # their gaps
    p: pd.DataFrame  # their works
    county_idx: dict
    vidx: dict
    tidx: dict
    pidx: dict

    def work_village(self) -> np.ndarray:
        return self.p["village_id"].map(self.vidx).to_numpy()


def tables(scn: Scenario) -> Tables:
    v = scn.villages[~scn.villages["relocated"].astype(bool)].reset_index(drop=True)
    vidx = {vid: i for i, vid in enumerate(v["village_id"])}
    g = scn.gaps[scn.gaps["village_id"].isin(vidx)].reset_index(drop=True)
    p = scn.projects[scn.projects["village_id"].isin(vidx)].reset_index(drop=True)
    county_names = sorted(set(scn.villages["county"]))
    return Tables(scn, int(scn.years[0]), len(scn.years), v, g, p,
                  county_idx={c: i for i, c in enumerate(county_names)}, vidx=vidx,
                  tidx={c: i for i, c in enumerate(scn.targets)},
                  pidx={pid: i for i, pid in enumerate(p["project_id"])})


def villages(T: Tables) -> dict:
    last = T.first + T.n_years - 1
    due = np.clip(T.v["exit_year"].to_numpy(dtype=np.int64), T.first, last) - T.first
    return {
        "village_ids": tuple(T.v["village_id"]),
        "village_county": T.v["county"].map(T.county_idx).to_numpy(dtype=np.int64),
        "village_due": due.astype(np.int64),
        "village_deep": T.v["deep_poverty"].astype(bool).to_numpy(),
        "county_names": tuple(T.county_idx),
    }


def gaps(T: Tables) -> dict:
    g, scn = T.g, T.scn
    own_weight = pd.to_numeric(g["weight"], errors="coerce")
    return {
        "target_codes": tuple(scn.targets),
        "gap_village": g["village_id"].map(T.vidx).to_numpy(dtype=np.int64),
        "gap_target": g["target"].map(T.tidx).to_numpy(dtype=np.int64),
        "gap_weight": own_weight.fillna(g["target"].map(scn.target_weight)).to_numpy(float),
        "gap_exit": g["target"].isin(scn.exit_standard).to_numpy(),
    }


def works(T: Tables) -> dict:
    p = T.p
    gidx = {key: i for i, key in enumerate(zip(T.g["village_id"], T.g["target"]))}
    duration = p["duration"].to_numpy(dtype=np.int64)
    profile = np.zeros((len(p), int(duration.max()) if len(p) else 1))
    for i, prof in enumerate(p["cost_profile"]):
        profile[i, : len(prof)] = prof
    cost, pooled = work_costs(to_units_round(p["cost"].to_numpy(dtype=float)), profile,
                              p["self_share"].to_numpy(dtype=float))
    latest = p["latest_year"].to_numpy(dtype=np.int64) - T.first
    return {
        "project_ids": tuple(p["project_id"]),
        "proj_gap": np.array([gidx[k] for k in zip(p["village_id"], p["target"])],
                             dtype=np.int64),
        "proj_duration": duration,
        "proj_cost_units": cost,
        "proj_pooled_units": pooled,
        "proj_earliest": p["earliest_year"].to_numpy(dtype=np.int64) - T.first,
        "proj_latest": np.minimum(latest, T.n_years - duration),
    }


def pool_keys(T: Tables) -> pd.DataFrame:
    """One money pool per (stream, county or blank for shared), in first-seen order."""
    f = T.scn.funds
    return f.drop_duplicates(["stream", "county"])[["stream", "county", "targets"]] \
        .reset_index(drop=True)


def pools(T: Tables, keys: pd.DataFrame) -> dict:
    f, Y, B = T.scn.funds, T.n_years, len(keys)
    budget = np.zeros((B, Y), dtype=np.int64)
    carry = np.ones((B, Y), dtype=bool)
    ret_after = np.zeros(B, dtype=np.int64)
    ret_share = np.zeros(B)
    leverage = np.zeros(B)
    limit = np.full((B, Y), -1, dtype=np.int64)
    key = {k: i for i, k in enumerate(zip(keys["stream"], keys["county"]))}
    for r in f.itertuples():
        b, t = key[(r.stream, r.county)], r.year - T.first
        budget[b, t] += int(to_units_floor(r.amount))
        carry[b, t] = bool(r.carry_over)
        if r.leverage is not None and not pd.isna(r.leverage):
            leverage[b] = float(r.leverage)
            if r.outside_limit is not None and not pd.isna(r.outside_limit):
                limit[b, t] = int(to_units_floor(r.outside_limit))
        if r.returns_after is not None and not pd.isna(r.returns_after):
            # a revolving stream gives the same on every row (validated)
            ret_after[b] = int(r.returns_after)
            share = r.return_share
            ret_share[b] = 1.0 if share is None or pd.isna(share) else float(share)
    return {
        "pool_stream": tuple(keys["stream"]),
        "pool_county": np.array([T.county_idx[c] if c else -1 for c in keys["county"]],
                                dtype=np.int64),
        "pool_budget_units": budget,
        "pool_carry": carry,
        "pool_leverage": leverage,
        "pool_outside_limit": limit,
        "pool_return_after": ret_after,
        "pool_return_share": ret_share,
    }


def eligibility(T: Tables, keys: pd.DataFrame, pool_county: np.ndarray) -> dict:
    """Which pools may pay for each work, by eligibility class (models.eligibility): the
    work's own `streams` (blank: any), the pool's county and the stream's `targets`
    ('*': any) all allow it.  Worked out once per distinct (county, streams, target) of
    the works, not per work."""
    p = T.p
    if not len(p):
        return {"proj_class": np.zeros(0, dtype=np.int64),
                "class_pools": np.zeros((0, len(keys)), dtype=bool)}
    proj_county = T.v["county"].map(T.county_idx).to_numpy()[T.work_village()]
    deep = T.v["deep_poverty"].astype(bool).to_numpy()[T.work_village()]
    kinds = pd.DataFrame({"county": proj_county, "streams": p["streams"].map(
        lambda s: "\x1f".join(sorted(s))), "target": p["target"].to_numpy()})
    row_of = kinds.groupby(list(kinds.columns), sort=True).ngroup().to_numpy(np.int64)
    first = np.unique(row_of, return_index=True)[1]
    kind = kinds.iloc[first].reset_index(drop=True)
    kind_streams = [p["streams"].iloc[i] for i in first]
    county = kind["county"].to_numpy(np.int64)
    rows = np.zeros((len(kind), len(keys)), dtype=bool)
    # per stream and per list of targets once, and a county's pool over its own county's
    # kinds only (the nation: 3,278 pools by some 10,000 kinds)
    order = np.argsort(county, kind="stable")
    cuts = np.searchsorted(county[order], np.arange(county.max(initial=-1) + 2))
    streams_ok: dict = {}
    targets_ok: dict = {}
    for b, r in enumerate(keys.itertuples()):
        if r.stream not in streams_ok:
            streams_ok[r.stream] = np.array([not s or r.stream in s for s in kind_streams],
                                            dtype=bool)
        ok = streams_ok[r.stream]
        if "*" not in r.targets:
            wanted = tuple(sorted(r.targets))
            if wanted not in targets_ok:
                targets_ok[wanted] = kind["target"].isin(wanted).to_numpy()
            ok = ok & targets_ok[wanted]
        if r.county:
            c = int(pool_county[b])
            mine = (order[cuts[c]:cuts[c + 1]] if 0 <= c < len(cuts) - 1
                    else np.zeros(0, dtype=np.int64))
            rows[mine, b] = ok[mine]
        else:
            rows[:, b] = ok
    proj_class, class_pools = classify(rows, row_of, proj_county, deep)
    return {"proj_class": proj_class, "class_pools": class_pools}


def cumulative(T: Tables, proj_gap: np.ndarray) -> dict:
    """Gaps with quantity > 0 close by the sum of their works' contributions; a work's
    blank `contributes` provides all of it."""
    quantity = pd.to_numeric(T.g["quantity"], errors="coerce").fillna(0.0).to_numpy(float)
    if not len(T.p):
        return {"gap_quantity": quantity, "proj_contrib": np.zeros(0)}
    own = pd.to_numeric(T.p["contributes"], errors="coerce").to_numpy(dtype=float)
    contrib = np.where(np.isnan(own), quantity[proj_gap], own)
    return {"gap_quantity": quantity,
            "proj_contrib": np.where(quantity[proj_gap] > 0, contrib, 1.0)}


def rules(T: Tables) -> dict:
    """Alternatives, locks and prerequisites; a work whose prerequisite's village is
    relocated or excluded cannot be done."""
    p, scn = T.p, T.scn
    groups = {name: i for i, name in enumerate(sorted(set(p["alternative_group"]) - {""}))}
    lock_in = np.array(p["project_id"].isin(scn.lock_in), dtype=bool)
    lock_out = np.array(p["project_id"].isin(scn.lock_out), dtype=bool)
    requires = []
    for i, reqs in enumerate(p["requires"]):
        for q in reqs:
            if q in T.pidx:
                requires.append((i, T.pidx[q]))
            else:
                lock_out[i] = True
    return {
        "proj_group": np.array([groups.get(a, -1) for a in p["alternative_group"]],
                               dtype=np.int64),
        "requires": np.array(requires, dtype=np.int64).reshape(-1, 2),
        "lock_in": lock_in,
        # a locked-in project keeps its lock; infeasibility is reported
        "lock_out": lock_out & ~lock_in,
    }


def deadlines(T: Tables) -> tuple[DeadlineSpec, ...]:
    out = []
    deep = T.v["deep_poverty"].astype(bool).to_numpy()
    for d in T.scn.deadlines:
        if d.scope == "all":
            scope = np.arange(len(T.v))
        elif d.scope == "deep_poverty":
            scope = np.flatnonzero(deep)
        else:
            scope = np.flatnonzero(T.v["county"].isin(d.scope).to_numpy())
        out.append(DeadlineSpec(d.label(), T.tidx[d.target], d.year - T.first,
                                scope.astype(np.int64), d.share, d.soft))
    return tuple(out)


def batches(T: Tables) -> dict:
    """Exit priority (退出优先、批次推进): the planned villages by exit batch in the order
    `exit_priority` serves them (a year of the horizon; `exited` for a village that
    exited before it; one after the horizon joins the last year's batch), deep-poverty
    villages as a batch of their own first within each with `deep_poverty_first`.  The
    weighted rule keeps one objective (no batches); `none` also drops the on-time bonus."""
    rule = T.scn.exit_priority
    if rule["rule"] != "lexicographic":
        return {"on_time_bonus": 0.0} if rule["rule"] == "none" else {}
    year = T.v["exit_year"].to_numpy(dtype=np.int64)
    last = T.first + T.n_years - 1
    label = np.where(year < T.first, "exited", np.minimum(year, last).astype(str))
    deep = T.v["deep_poverty"].astype(bool).to_numpy()
    groups, labels = [], []
    for batch in rule["order"]:
        mine = label == batch
        parts = ([(mine & deep, f"{batch} deep poverty"), (mine & ~deep, batch)]
                 if T.scn.deep_poverty_first else [(mine, batch)])
        for members, name in parts:
            if members.any():
                groups.append(np.flatnonzero(members).astype(np.int64))
                labels.append(name)
    return {"batches": tuple(groups), "batch_labels": tuple(labels)}


def build_instance(scn: Scenario) -> Instance:
    T = tables(scn)
    keys = pool_keys(T)
    money = pools(T, keys)
    work = works(T)
    priority = batches(T)
    inst = Instance(
        years=np.asarray(scn.years, dtype=np.int64),
        objective=scn.objective,
        **villages(T), **gaps(T), **work, **money, **rules(T),
        **eligibility(T, keys, money["pool_county"]),
        **cumulative(T, work["proj_gap"]),
        deadlines=deadlines(T),
        late_factor=scn.weights["late_factor"],
        on_time_bonus=priority.pop("on_time_bonus", scn.weights["on_time_bonus"]),
        **priority,
        soft_penalty=scn.weights["soft_deadline_penalty"],
        partial_credit=scn.partial_credit,
        max_spread=scn.fairness.get("max_spread"),
        min_rate=scn.fairness.get("min_rate"),
        money_units=UNITS,
        meta={"name": scn.name},
    )
    return reserve_parts(inst, scn.reserve)

