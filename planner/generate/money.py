"""The money of a generated scenario.

`forced_costs` works out what the deadlines force each county to spend;
`fund_table` sizes the money per county, stream and year to the county's need,
adjusts it so that the deadlines are fundable (`_fund_amounts`) and lays out
funds.csv's rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import (
    BROAD,
    DEADLINE_MARGIN,
    LOT,
    LOTTERY_TARGETS,
    SB,
    STREAM_CARRY,
    STREAM_CODES,
    STREAM_SHARE,
    STREAM_TARGETS,
)


def _gap_costs(vdf, gdf, pdf):
    """Per gap: county index, target, planned?, least pooled cost of a candidate."""
    self_share = pd.to_numeric(pdf["self_share"].replace("", np.nan)).fillna(0.0)
    pooled = (pdf["cost"] * (1.0 - self_share)).to_numpy()
    key_g = gdf["village_id"] + "|" + gdf["target"]
    key_p = pdf["village_id"] + "|" + pdf["target"]
    least = pd.Series(pooled).groupby(key_p.to_numpy()).min().reindex(key_g).to_numpy()
    v = vdf.set_index("village_id").loc[gdf["village_id"]]
    return pd.DataFrame({
        "county": v["county"].to_numpy(),
        "village_id": gdf["village_id"].to_numpy(),
        "target": gdf["target"].to_numpy(),
        "deep": (v["deep_poverty"] == "true").to_numpy(),
        "planned": (v["relocated"] != "true").to_numpy(),
        "cost": least,
    })


def forced_costs(vdf: pd.DataFrame, gdf: pd.DataFrame, pdf: pd.DataFrame,
                 years, deadlines, counties) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the deadlines force each county to spend, at least, by each year.

    A gap is forced by a deadline when its village is planned and in scope and
    the deadline needs it: all such gaps for ``share`` 1; for a share below 1,
    the cheapest ``ceil(share * N) - (villages without the gap)`` of the
    county's gaps (counting the share per county, which is at least as strict
    as counting it over the province).

    Returns ``need`` (per county: least pooled cost of every planned gap) and
    ``forced``, ``forced_lottery`` of shape (counties, years): least pooled cost
    of the gaps forced by the end of each year, in total and for the targets
    lottery money may pay for (road, environment).
    """
    gc = _gap_costs(vdf, gdf, pdf)
    cpos = pd.Index(counties).get_indexer(gc["county"])
    planned = gc["planned"].to_numpy()
    forced_year = np.full(len(gc), np.inf)
    pv = vdf[vdf["relocated"] != "true"]
    for d in deadlines:  # a handful of deadlines
        in_scope = planned & (gc["target"].to_numpy() == d["target"])
        if d.get("scope", "all") == "deep_poverty":
            in_scope &= gc["deep"].to_numpy()
            scope_v = pv[pv["deep_poverty"] == "true"]
        else:
            scope_v = pv
        share = d.get("share", 1.0)
        if share >= 1.0:
            hit = in_scope
        else:
            n_scope = scope_v.groupby("county").size()
            n_gap = gc[in_scope].groupby("county").size().reindex(n_scope.index, fill_value=0)
            k = np.maximum(0, np.ceil(share * n_scope - 1e-9) - (n_scope - n_gap))
            sub = gc[in_scope].sort_values(["county", "cost"], kind="stable")
            rank = sub.groupby("county").cumcount().to_numpy()
            chosen = sub.index[rank < k.reindex(sub["county"]).to_numpy()]
            hit = np.zeros(len(gc), bool)
            hit[chosen] = True
        forced_year[hit] = np.minimum(forced_year[hit], d["year"])

    k, ny = len(counties), len(years)
    cost = gc["cost"].to_numpy()
    need = np.bincount(cpos[planned], weights=cost[planned], minlength=k)
    lot = np.isin(gc["target"].to_numpy(), LOTTERY_TARGETS)
    forced = np.zeros((k, ny))
    forced_lot = np.zeros((k, ny))
    for j, y in enumerate(years):
        f = forced_year <= y
        forced[:, j] = np.bincount(cpos[f], weights=cost[f], minlength=k)
        forced_lot[:, j] = np.bincount(cpos[f & lot], weights=cost[f & lot], minlength=k)
    return need, forced, forced_lot


def _fund_amounts(rng, need, forced, forced_lot, budget_ratio, ny):
    """Money per county, stream and year: shape (counties, 5, years).

    Each county gets ``budget_ratio * need`` over the horizon, split between
    the streams roughly 30/25/10/10/25 % and between the years with some
    variation.

    Deadline rule (the deadlines are hard constraints, so the money must make
    them feasible): for every year ``t`` with a deadline, in order, the money
    that may pay for the forced works, cumulated up to ``t`` --

        special_bonds + poverty_fund + integrated
            + min(lottery, DEADLINE_MARGIN * forced road/environment cost)

    -- must be at least ``DEADLINE_MARGIN`` (1.5) times the least pooled cost
    of the gaps the deadlines force by ``t`` (`forced_costs`).  When it falls
    short, the shortfall is first moved forward from the later years of
    special_bonds, poverty_fund and integrated (each stream keeping its total,
    and every later year keeping at least 20 % of its money); what still
    lacks is added to special_bonds in the years up to ``t``, in proportion to
    their amounts (the ``topup``: in effect the extra support the policy asks
    for the poorest counties, mostly deep-poverty ones).  Moving money forward
    leaves the cumulated sums of later years unchanged and a top-up only adds,
    so a deadline met stays met while later ones are fixed.
    """
    k = len(need)
    share = STREAM_SHARE * np.clip(1.0 + 0.1 * rng.normal(size=(k, 5)), 0.7, 1.3)
    share /= share.sum(axis=1, keepdims=True)
    yw = np.clip(1.0 + 0.15 * rng.normal(size=(k, 5, ny)), 0.6, 1.4)
    yw /= yw.sum(axis=2, keepdims=True)
    amount = (budget_ratio * need)[:, None, None] * share[:, :, None] * yw
    topup = np.zeros(k)
    for j in range(ny):  # a few years, vectorised over counties
        if not forced[:, j].any():
            continue
        required = DEADLINE_MARGIN * forced[:, j] * (1 + 1e-4) + 0.1  # rounding room
        eligible = amount[:, BROAD, :j + 1].sum(axis=(1, 2)) + np.minimum(
            amount[:, LOT, :j + 1].sum(axis=1), DEADLINE_MARGIN * forced_lot[:, j])
        short = np.maximum(0.0, required - eligible)
        later = amount[:, BROAD, j + 1:]
        later_total = later.sum(axis=(1, 2))
        moved = np.minimum(short, 0.8 * later_total)
        frac = np.divide(moved, later_total, out=np.zeros(k), where=later_total > 0)
        taken = later * frac[:, None, None]
        amount[:, BROAD, j + 1:] -= taken
        amount[:, BROAD, j] += taken.sum(axis=2)
        # what still lacks: more special bonds, spread over the years up to t
        top = short - moved
        sb = amount[:, SB, :j + 1]
        sb_total = sb.sum(axis=1)
        amount[:, SB, :j + 1] += top[:, None] * np.divide(
            sb, sb_total[:, None], out=np.full_like(sb, 1.0 / (j + 1)),
            where=sb_total[:, None] > 0)
        topup += top
    return np.round(amount, 2), topup


def fund_table(rng, vdf, gdf, pdf, county_df, years, deadlines, budget_ratio, pooled_stream):
    """funds.csv (rows by stream, year, county), the total pooled need and the top-up."""
    counties = county_df["county"].to_numpy()
    need, forced, forced_lot = forced_costs(vdf, gdf, pdf, years, deadlines, counties)
    ny, k = len(years), len(counties)
    amount, topup = _fund_amounts(rng, need, forced, forced_lot, budget_ratio, ny)

    # rows in stream, year, county order
    s_i, y_i, c_i = np.meshgrid(np.arange(5), np.arange(ny), np.arange(k), indexing="ij")
    streams = np.array(STREAM_CODES, dtype=object)[s_i.ravel()]
    fdf = pd.DataFrame({
        "stream": streams,
        "year": np.array(years)[y_i.ravel()],
        "amount": amount[c_i.ravel(), s_i.ravel(), y_i.ravel()],
        "county": counties[c_i.ravel()],
    })
    if pooled_stream:
        is_in = fdf["stream"] == "integrated"
        pooled = (fdf[is_in].groupby("year", sort=True)["amount"].sum().round(2)
                  .reset_index().assign(stream="integrated", county=""))
        fdf = pd.concat([fdf[~is_in], pooled[fdf.columns]], ignore_index=True)
    fdf["carry_over"] = np.where(fdf["stream"].map(STREAM_CARRY), "true", "false")
    fdf["targets"] = fdf["stream"].map(STREAM_TARGETS)
    return fdf, float(need.sum()), float(topup.sum())
