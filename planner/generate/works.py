"""Gaps and projects of a generated scenario.

`gap_table` draws which of the 14 targets each village lacks; `project_table`
draws the project library: one candidate per gap and a second alternative for
some, with their costs, durations and cost profiles, departments, self share,
streams, prerequisites and start windows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import (
    ALT_SHARE,
    COST_RANGE,
    DEPARTMENTS,
    DEPT_SHARE,
    EXITED_GAP_FACTOR,
    GAP_PROB,
    PV_DEPARTMENT,
    PV_SHARE,
    SELF_SHARE_WATER,
    TARGET_CODES,
    TARGET_INDEX,
    TWO_YEAR_PROFILES,
    TWO_YEAR_SHARE,
    TWO_YEAR_TARGETS,
    policy_deadlines,
)
from .villages import numbered_ids


def gap_table(rng, vdf: pd.DataFrame, years) -> pd.DataFrame:
    """gaps.csv: the targets each village lacks, at least one per village."""
    n, m = len(vdf), len(TARGET_CODES)
    deep = (vdf["deep_poverty"] == "true").to_numpy()
    exited = (vdf["exit_year"] < years[0]).to_numpy()
    base = np.array([GAP_PROB[t][0] for t in TARGET_CODES])
    deep_p = np.array([GAP_PROB[t][1] for t in TARGET_CODES])
    prob = np.where(deep[:, None], deep_p, base)
    prob = prob * np.where(exited, EXITED_GAP_FACTOR, 1.0)[:, None]
    has = rng.random((n, m)) < prob
    empty = np.flatnonzero(~has.any(axis=1))  # every village lacks something
    has[empty, rng.choice(m, size=len(empty), p=base / base.sum())] = True
    vi, ti = np.nonzero(has)  # row-major: by village, then target order
    return pd.DataFrame({"village_id": vdf["village_id"].to_numpy()[vi],
                         "target": np.array(TARGET_CODES, dtype=object)[ti]})


def _costs(rng, target_idx: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Truncated-lognormal costs inside each target's range, in 万元."""
    lo = np.array([COST_RANGE[t][0] for t in TARGET_CODES], dtype=float)[target_idx]
    hi = np.array([COST_RANGE[t][1] for t in TARGET_CODES], dtype=float)[target_idx]
    sens = np.array([COST_RANGE[t][2] for t in TARGET_CODES])[target_idx]
    size_z = (np.log(population) - np.log(900)) / 0.5
    u = np.clip(rng.normal(0.45 + 0.12 * sens * size_z, 0.2), 0.0, 1.0)
    return lo * (hi / lo) ** u


def project_table(rng, vdf: pd.DataFrame, gdf: pd.DataFrame, years) -> pd.DataFrame:
    """projects.csv: one candidate per gap, a second alternative for some."""
    ny = len(years)
    g = len(gdf)
    vpos = pd.Index(vdf["village_id"]).get_indexer(gdf["village_id"])
    tgt = pd.Index(TARGET_CODES).get_indexer(gdf["target"])
    pop = vdf["population"].to_numpy()[vpos]

    # --- the first candidate of every gap
    cost = _costs(rng, tgt, pop)
    two_year_ok = np.isin(tgt, [TARGET_INDEX[t] for t in TWO_YEAR_TARGETS]) & (ny >= 2)
    is_pv = (tgt == TARGET_INDEX["collective_economy"]) & (rng.random(g) < PV_SHARE)
    duration = np.where(two_year_ok & ~is_pv & (rng.random(g) < TWO_YEAR_SHARE), 2, 1)
    profile = np.where(duration == 2,
                       np.array(TWO_YEAR_PROFILES, dtype=object)[
                           rng.integers(0, len(TWO_YEAR_PROFILES), g)], "")

    # --- a second alternative for some gaps: cheaper but a year longer where
    # the target allows it, otherwise a different design at another price
    has_alt = rng.random(g) < ALT_SHARE
    longer = has_alt & two_year_ok & (duration == 1) & (rng.random(g) < 0.6)
    alt_cost = cost * np.where(longer, rng.uniform(0.75, 0.90, g), rng.uniform(0.80, 1.30, g))
    alt_duration = np.where(longer, 2, duration)
    alt_profile = np.where(longer, "0.5;0.5", profile)

    a = np.flatnonzero(has_alt)
    gap_of = np.concatenate([np.arange(g), a])
    order = np.lexsort((np.r_[np.zeros(g), np.ones(len(a))], gap_of))  # gap, then alt
    gap_of = gap_of[order]
    p_cost = np.round(np.r_[cost, alt_cost[a]][order], 2)
    p_dur = np.r_[duration, alt_duration[a]][order]
    p_prof = np.r_[profile, alt_profile[a]][order]
    p_pv = np.r_[is_pv, np.zeros(len(a), bool)][order]
    p_tgt = tgt[gap_of]
    n = len(gap_of)
    pid = numbered_ids("P", n, width=max(5, len(str(n))))

    # --- departments: the PV stations' and a few others; blank = the annex's
    department = np.full(n, "", dtype=object)
    explicit = rng.random(n) < DEPT_SHARE
    pick = rng.random(n)
    for t, options in DEPARTMENTS.items():  # loop over 14 targets, not projects
        sel = explicit & (p_tgt == TARGET_INDEX[t])
        department[sel] = np.array(options, dtype=object)[
            np.minimum((pick[sel] * len(options)).astype(int), len(options) - 1)]
    department[p_pv] = PV_DEPARTMENT

    # --- household-connection part of water works: half paid by households
    self_share = np.where((p_tgt == TARGET_INDEX["water"]) & (rng.random(n) < SELF_SHARE_WATER),
                          "0.5", "").astype(object)

    # --- streams: premiums are not capital works; work-for-relief from the
    # poverty fund.  None of them touches a deadline target.
    streams = np.full(n, "", dtype=object)
    streams[(p_tgt == TARGET_INDEX["social_security"])
            & (rng.random(n) < 0.5)] = "poverty_fund;integrated"
    streams[(p_tgt == TARGET_INDEX["motivation"]) & (rng.random(n) < 0.3)] = "poverty_fund"

    # --- requires: a PV station needs its village's grid upgrade, when that
    # upgrade has a single candidate (requires means all listed are done)
    requires = np.full(n, "", dtype=object)
    pvill = vpos[gap_of]
    if ny >= 2:
        power_single = (p_tgt == TARGET_INDEX["power"]) & ~has_alt[gap_of]
        power_of_village = pd.Series(pid[power_single], index=pvill[power_single])
        pv_rows = np.flatnonzero(p_pv)
        found = power_of_village.reindex(pvill[pv_rows])
        ok = found.notna().to_numpy()
        requires[pv_rows[ok]] = found.to_numpy()[ok]

    # --- a few start windows, never on deadline targets or linked projects
    earliest = np.full(n, "", dtype=object)
    latest = np.full(n, "", dtype=object)
    deadline_targets = [TARGET_INDEX[d["target"]] for d in policy_deadlines(years)]
    free = ~np.isin(p_tgt, deadline_targets) & (requires == "") & ~p_pv
    if ny >= 2:
        draw = rng.random(n)
        late_start = free & (draw < 0.03) & (years[1] + p_dur - 1 <= years[-1])
        early_end = free & (draw >= 0.03) & (draw < 0.05) & (p_dur == 1)
        earliest[late_start] = str(years[1])
        latest[early_end] = str(years[-2])

    return pd.DataFrame({
        "project_id": pid,
        "village_id": vdf["village_id"].to_numpy()[pvill],
        "target": np.array(TARGET_CODES, dtype=object)[p_tgt],
        "cost": p_cost,
        "duration": p_dur,
        "cost_profile": p_prof,
        "earliest_year": earliest,
        "latest_year": latest,
        "department": department,
        "self_share": self_share,
        "streams": streams,
        "requires": requires,
        "alternative_group": "",
    })
