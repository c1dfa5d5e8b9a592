"""Money rules: stream columns add up to the pooled cost, eligibility, leverage
(per work and year, per pool and year, outside_limit), the budget ledger with
carry-over and revolving returns, funds.csv against the ledger, reserved shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .facts import Facts
from .files import FUNDS_MONEY, FUNDS_MORE
from .report import MONEY_UNITS, ONE_UNIT, TOL, Report, budget_units, county_text, money


def check_streams(f: Facts, rep: Report) -> None:
    """Stream columns hold the pooled money only: each >= 0, together = pooled_cost."""
    s = f.sched
    for stream in f.streams:
        bad = s[s[stream] < 0]
        rep.each("streams", bad[["_row", "project_id", "year", stream]],
                 lambda r, stream=stream:
                 f"schedule.csv row {r['_row']}: project {r['project_id']} draws "
                 f"{money(r[stream])} from {stream} in {r['year']}: money must be >= 0")
    cols = f.streams + [c for c in s.columns if c.startswith("outside_")]
    total = s[cols].sum(axis=1) if cols else pd.Series(0.0, index=s.index)
    bad = s.assign(total=total)[(total - s["pooled_cost"]).abs() > TOL]
    rep.each("streams", bad[["_row", "project_id", "year", "pooled_cost", "total"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} in {r['year']} "
                       f"draws {money(r['total'])} from the streams (and outside money they "
                       f"unlock) in all; its pooled_cost is {money(r['pooled_cost'])}")


def levers(fu: pd.DataFrame) -> dict:
    """stream -> leverage K of the streams whose funds rows give one."""
    out = {}
    if "leverage" in fu.columns:
        for stream, k in zip(fu["stream"], fu["leverage"]):
            if k is not None and not pd.isna(k):
                out[stream] = float(k)
    return out


def _outside_by_pool(f: Facts) -> pd.DataFrame:
    """Outside money per pool (stream, county or blank) and year, from outside_<S>."""
    s = f.sched
    parts = []
    for col in [c for c in s.columns if c.startswith("outside_")]:
        stream = col[len("outside_"):]
        if stream in f.pooled_streams:
            by = s.groupby("year")[col].sum().reset_index().assign(county="")
        else:
            by = s.groupby(["pool_county", "year"])[col].sum().reset_index()
            by = by.rename(columns={"pool_county": "county"})
        parts.append(by.rename(columns={col: "outside"}).assign(stream=stream))
    if not parts:
        return pd.DataFrame({"stream": pd.Series(dtype=object), "county": pd.Series(dtype=object),
                             "year": pd.Series(dtype=np.int64), "outside": pd.Series(dtype=float)})
    return pd.concat(parts, ignore_index=True)[["stream", "county", "year", "outside"]]


def check_leverage(f: Facts, rep: Report) -> None:
    """outside_<S> (loans, private capital) only for a stream S with `leverage` K: in
    every row (one work, one year) at most K times what S paid for that row, and per
    pool and year at most K times what S paid and at most S's outside_limit (whole
    units, rounded down as budgets are).  Outside money is >= 0."""
    s, fu = f.sched, f.inp.funds
    lever = levers(fu)
    for col in [c for c in s.columns if c.startswith("outside_")]:
        stream = col[len("outside_"):]
        neg = s[s[col] < 0]
        rep.each("leverage", neg[["_row", "project_id", "year", col]],
                 lambda r, col=col: f"schedule.csv row {r['_row']}: project {r['project_id']} "
                 f"has {col} {money(r[col])} in {r['year']}: money must be >= 0")
        if stream not in lever:
            if (s[col] != 0).any():
                rep.add("leverage", f"schedule.csv has outside money {col} but stream {stream!r} "
                                    "has no leverage in funds.csv")
            continue
        k = lever[stream]
        paid = s[stream] if stream in s.columns else pd.Series(0.0, index=s.index)
        bad = s.assign(paid=paid)[s[col] > k * paid + TOL]
        rep.each("leverage", bad[["_row", "project_id", "year", col, "paid"]],
                 lambda r, col=col, stream=stream, k=k: f"schedule.csv row {r['_row']}: project "
                 f"{r['project_id']} gets {col} {money(r[col])} in {r['year']} for "
                 f"{money(r['paid'])} from {stream}; at most {k:g} x {money(r['paid'])} = "
                 f"{money(k * r['paid'])} (leverage per work and year)")
        pooled = stream in f.pooled_streams
        by = ["year"] if pooled else ["pool_county", "year"]
        sums = s.assign(paid=paid).groupby(by)[[col, "paid"]].sum().reset_index()
        for r in sums.itertuples(index=False):
            row = r._asdict()
            county = "" if pooled else row["pool_county"]
            if row[col] > k * row["paid"] + TOL:
                rep.add("leverage", f"stream {stream}{county_text(county)}, {row['year']}: "
                                    f"outside money {money(row[col])} > {k:g} x "
                                    f"{money(row['paid'])}")
            lim = fu[(fu["stream"] == stream) & (fu["county"] == county)
                     & (fu["year"] == row["year"])]
            lim = [x for x in lim.get("outside_limit", []) if x is not None and not pd.isna(x)]
            if lim and row[col] > budget_units(lim[0]) / MONEY_UNITS + TOL:
                rep.add("leverage", f"stream {stream}{county_text(county)}, {row['year']}: "
                                    f"outside money {money(row[col])} > outside_limit {lim[0]:g}")


def check_eligibility(f: Facts, rep: Report) -> None:
    """Money from stream S pays a project only if S is among the project's `streams`
    (when it lists any), S's funds rows allow its target (or `*`), and S has money
    for the project's county (a county row) or is pooled (blank county)."""
    s = f.sched
    p = f.inp.projects
    listed = p.loc[p["streams"].map(len) > 0, "project_id"]
    allows = p[["project_id", "streams"]].explode("streams").dropna()
    pools = f.inp.funds[["stream", "county", "targets"]].drop_duplicates(["stream", "county"])
    # the rows' projects, counties and targets as codes of their distinct values, once
    project_code, projects = _codes(s["project_id"])
    is_listed = projects.isin(listed)[project_code]
    # stream -> the codes of the schedule's projects that list it
    listing = {stream: projects.get_indexer(pids)
               for stream, pids in allows.groupby("streams", sort=False)["project_id"]}
    county_code, counties = _codes(s["pool_county"])
    target_code, targets_seen = _codes(s["gap_target"])
    for stream in f.streams:
        drawn = (s[stream] > TOL).to_numpy()
        use = s[drawn]
        if use.empty:
            continue
        ok_project = ~is_listed[drawn]
        named = ~ok_project  # the projects listing streams: is this one of them?
        lists_it = np.zeros(len(projects) + 1, dtype=bool)  # the last: not scheduled (-1)
        lists_it[listing.get(stream, np.empty(0, dtype=np.int64))] = True
        ok_project[named] = lists_it[:-1][project_code[drawn][named]]
        bad = use[~ok_project & use["known"].to_numpy()]
        bad = bad.assign(listed=[";".join(t) for t in bad["p_streams"]])
        rep.each("eligibility", bad[["_row", "project_id", "year", stream, "listed"]],
                 lambda r, stream=stream:
                 f"schedule.csv row {r['_row']}: project {r['project_id']} draws "
                 f"{money(r[stream])} from {stream} in {r['year']}, but its streams are "
                 f"only {r['listed']}")
        sp = pools[pools["stream"] == stream]
        pooled = stream in f.pooled_streams
        county = (pd.Series("", index=use.index) if pooled else use["pool_county"])
        if pooled:  # every row's county is the blank one
            code, names = np.zeros(len(use), dtype=np.int64), pd.Index([""], dtype=object)
        else:
            code, names = county_code[drawn], counties
        has_pool = names.isin(set(sp["county"]))[code]
        bad = use[~has_pool]
        rep.each("eligibility", bad[["_row", "project_id", "year", "pool_county", stream]],
                 lambda r, stream=stream:
                 f"schedule.csv row {r['_row']}: project {r['project_id']} draws "
                 f"{money(r[stream])} from {stream} in {r['year']}, but {stream} has no money "
                 f"row for county {r['pool_county']}")
        targets = sp.explode("targets")
        star = set(targets.loc[targets["targets"] == "*", "county"])
        pairs = set(zip(targets["county"], targets["targets"]))
        ok_target = names.isin(star)[code] | _pair_in(code, names, target_code[drawn],
                                                      targets_seen, pairs)
        allowed = dict(zip(sp["county"], sp["targets"].map(";".join)))
        bad = use.assign(key=county)[has_pool & ~ok_target]
        rep.each("eligibility", bad[["_row", "project_id", "year", "gap_target", "key", stream]],
                 lambda r, stream=stream, allowed=allowed:
                 f"schedule.csv row {r['_row']}: project {r['project_id']} (target "
                 f"{r['gap_target']}) draws {money(r[stream])} from {stream} in {r['year']}, "
                 f"which may pay only for {allowed.get(r['key'], '')}")


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each cell's position among the column's distinct values (a missing one too)."""
    code, uniques = pd.factorize(column, use_na_sentinel=False)
    return code, pd.Index(uniques, dtype=object)


def _pair_in(a: np.ndarray, a_names: pd.Index, b: np.ndarray, b_names: pd.Index,
             pairs: set) -> np.ndarray:
    """Whether each row's (a, b), by the codes of the two columns, is one of `pairs`."""
    key = a.astype(np.int64) * max(len(b_names), 1) + b
    seen, back = np.unique(key, return_inverse=True)
    width = max(len(b_names), 1)
    hit = np.array([(a_names[k // width], b_names[k % width]) in pairs for k in seen],
                   dtype=bool)
    return hit[back.reshape(-1)] if len(seen) else np.zeros(len(a), dtype=bool)

def _ledger(f: Facts) -> pd.DataFrame:
    """Per pool (stream, county or blank) and year: budget (rounded down to whole
    units), carried_in, spent (from the schedule), carried_out, unused.  An
    overspent year (a `budget` violation) carries nothing over."""
    scn = f.inp
    fu = scn.funds.assign(budget=budget_units(scn.funds["amount"]))
    rows = (fu.groupby(["stream", "county", "year"], sort=False)
            .agg(budget=("budget", "sum"), carry=("carry_over", "all")).reset_index())
    pools = fu[["stream", "county"]].drop_duplicates()
    grid = pools.merge(pd.DataFrame({"year": scn.years}), how="cross")
    grid = grid.merge(rows, on=["stream", "county", "year"], how="left")
    grid["budget"] = grid["budget"].fillna(0.0) / MONEY_UNITS
    grid["carry"] = grid["carry"].astype(object).where(grid["carry"].notna(), True).astype(bool)

    s = f.sched
    spent = []
    for stream in f.streams:
        if stream in f.pooled_streams:
            by = s.groupby("year")[stream].sum().reset_index().assign(county="")
        else:
            by = s.groupby(["pool_county", "year"])[stream].sum().reset_index()
            by = by.rename(columns={"pool_county": "county"})
        spent.append(by.rename(columns={stream: "spent"}).assign(stream=stream))
    spent = (pd.concat(spent, ignore_index=True) if spent else
             pd.DataFrame(columns=["stream", "county", "year", "spent"]))
    grid = grid.merge(spent[["stream", "county", "year", "spent"]],
                      on=["stream", "county", "year"], how="left")
    grid["spent"] = grid["spent"].astype(float).fillna(0.0)
    grid = grid.merge(_outside_by_pool(f), on=["stream", "county", "year"], how="left")
    grid["outside"] = grid["outside"].astype(float).fillna(0.0)
    grid = grid.sort_values(["stream", "county", "year"], kind="stable").reset_index(drop=True)

    carried_in = np.zeros(len(grid))
    carried_out = np.zeros(len(grid))
    returned = np.zeros(len(grid))
    budget, spent_v, carry = (grid["budget"].to_numpy(), grid["spent"].to_numpy(),
                              grid["carry"].to_numpy())
    last = f.last
    years = grid["year"].to_numpy()
    revolving = _revolving(scn.funds)
    for (stream, county), idx in grid.groupby(["stream", "county"], sort=False).indices.items():
        if (stream, county) in revolving:  # revolving fund: floor(share * spent) comes back
            k, share = revolving[(stream, county)]
            for j, i in enumerate(idx):
                if j >= k:
                    units = round(spent_v[idx[j - k]] * MONEY_UNITS)
                    returned[i] = np.floor(share * units + 1e-9) / MONEY_UNITS
        carried = 0.0
        for i in idx:  # few pools x years: a short loop
            carried_in[i] = carried
            left = budget[i] + carried + returned[i] - spent_v[i]
            carried = max(left, 0.0) if (carry[i] and years[i] != last) else 0.0
            carried_out[i] = carried
    grid["carried_in"] = carried_in
    grid["carried_out"] = carried_out
    grid["returned"] = returned
    grid["available"] = grid["budget"] + grid["carried_in"] + grid["returned"]
    grid["unused"] = grid["available"] - grid["spent"] - grid["carried_out"]
    return grid


def _revolving(fu: pd.DataFrame) -> dict:
    """(stream, county) -> (returns_after, return_share) of revolving funds (扶贫周转金)."""
    if "returns_after" not in fu.columns:
        return {}
    out = {}
    for r in fu.itertuples():
        k = r.returns_after
        if k is not None and not pd.isna(k):
            share = r.return_share
            out[(r.stream, r.county)] = (int(k), 1.0 if share is None or pd.isna(share)
                                         else float(share))
    return out


def check_budget(f: Facts, rep: Report) -> pd.DataFrame:
    """Per pool and year, spent <= budget + carried_in (+ what a revolving fund gets
    back: floor(return_share * spent returns_after years before), in whole units);
    what is left carries to the next year when the row's carry_over is true and the
    year is not the last."""
    ledger = _ledger(f)
    bad = ledger[ledger["spent"] > ledger["available"] + TOL]
    rep.each("budget", bad,
             lambda r: f"stream {r['stream']}{county_text(r['county'])}, {r['year']}: spent "
                       f"{money(r['spent'])} > available {money(r['available'])} (budget "
                       f"{money(r['budget'])} + carried in {money(r['carried_in'])}), over by "
                       f"{money(r['spent'] - r['available'])}")
    return ledger

def check_funds_table(ledger: pd.DataFrame, funds: pd.DataFrame, rep: Report) -> None:
    """funds.csv has one row per pool and year, equal to the recomputed ledger
    (budget within one unit, the other amounts exactly)."""
    keys = ["stream", "year", "county"]
    dup = funds[funds.duplicated(keys, keep="first")]
    rep.each("funds", dup[["_row", "stream", "year", "county"]],
             lambda r: f"funds.csv row {r['_row']}: a second row for stream {r['stream']}"
                       f"{county_text(r['county'])}, {r['year']}")
    both = ledger.merge(funds.drop_duplicates(keys), on=keys, how="outer",
                        suffixes=("", "_plan"), indicator=True)
    rep.each("funds", both[both["_merge"] == "left_only"],
             lambda r: f"funds.csv has no row for stream {r['stream']}{county_text(r['county'])}, "
                       f"{r['year']}")
    rep.each("funds", both[both["_merge"] == "right_only"],
             lambda r: f"funds.csv row {int(r['_row'])}: stream {r['stream']}"
                       f"{county_text(r['county'])}, {r['year']} is not a money pool of funds.csv "
                       "in the scenario")
    both = both[both["_merge"] == "both"]
    for col in FUNDS_MONEY + tuple(c for c in FUNDS_MORE if c in funds.columns):
        tol = ONE_UNIT if col == "budget" else TOL
        bad = both[(both[col] - both[f"{col}_plan"]).abs() > tol]
        rep.each("funds", bad,
                 lambda r, col=col: f"funds.csv row {int(r['_row'])}: stream {r['stream']}"
                                    f"{county_text(r['county'])}, {r['year']}: {col} is "
                                    f"{money(r[col + '_plan'])}; recomputed {money(r[col])}")

def check_reserve(f: Facts, rep: Report) -> None:
    """reserve: a share of a stream only deep-poverty villages may use.  Villages that are
    not deep-poverty draw only on the rest: per pool, year by year, their spending from
    the stream fits (1 - share) of each year's money (whole units, rounded as the budget
    is) plus what that part carried over."""
    if not f.inp.reserve:
        return
    deep = set(f.inp.villages.loc[f.inp.villages["deep_poverty"].astype(bool), "village_id"])
    s = f.sched[~f.sched["p_village_id"].isin(deep)]
    fu = f.inp.funds
    for res in f.inp.reserve:
        stream = res["stream"]
        pooled = stream in f.pooled_streams
        for county, grp in fu[fu["stream"] == stream].groupby("county", sort=False):
            mine = s if pooled else s[s["pool_county"] == county]
            carried = 0.0
            for year in f.inp.years:
                row = grp[grp["year"] == year]
                units = float(np.floor(row["amount"].sum() * MONEY_UNITS + 1e-6))
                open_part = (units - np.floor(units * res["share"] + 1e-9)) / MONEY_UNITS
                avail = open_part + carried
                spent = float(mine.loc[mine["year"] == year, stream].sum())
                if spent > avail + TOL:
                    rep.add("reserve", f"stream {stream}{county_text(county)}, {year}: villages "
                                       f"outside deep poverty drew {money(spent)} > {money(avail)} "
                                       f"not reserved for deep-poverty villages")
                carry = bool(row["carry_over"].all()) if len(row) else True
                carried = max(avail - spent, 0.0) if carry and year != f.last else 0.0
