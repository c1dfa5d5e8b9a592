"""Checks of the four tables against each other and the horizon (after reading has
typed every cell), and the defaults filled in afterwards."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import Problems

#: Duplicates reported one by one; beyond these one line counts the rest.
DUPLICATES_SHOWN = 10


def _dup(frame: pd.DataFrame, keys: list[str], problems: Problems, what: str):
    """Rows repeating an earlier row's keys, each with the row it repeats (linear: one
    hash pass and one group-by)."""
    dup = frame.duplicated(keys, keep=False)
    if not dup.any():
        return
    sub = frame.loc[dup, keys + ["_row"]]
    first = sub.groupby(keys, sort=False)["_row"].transform("min")
    later = sub[sub["_row"] != first]
    f = frame.attrs["file"]
    for (_, row), first_row in zip(later.head(DUPLICATES_SHOWN).iterrows(),
                                   first.loc[later.index[:DUPLICATES_SHOWN]]):
        problems.add(f, f"duplicate {what}; first given on row {first_row}; each must be "
                     "unique: remove or correct one of the rows",
                     row=int(row["_row"]), column=keys[-1], value=row[keys[-1]])
    if len(later) > DUPLICATES_SHOWN:
        problems.add(f, f"{len(later) - DUPLICATES_SHOWN:,} more rows repeat an earlier "
                     f"{what} ({len(later):,} in all); was the table pasted twice?",
                     column=keys[-1])


def validate_villages(v: pd.DataFrame, years, problems: Problems):
    f = v.attrs["file"]
    _dup(v, ["village_id"], problems, "village_id")
    year = _numbers(v["exit_year"])
    clean = (year <= years[-1]) & (year >= 1949)  # a sufficient test, as _clean_projects
    for col in ("population", "poor_households"):
        clean &= ~(_numbers(v[col]) < 0)
    for r in v[~clean].itertuples():  # the rows below report nothing
        if r.exit_year > years[-1]:
            problems.add(f, f"exit year after the horizon {years[0]}-{years[-1]}; "
                         "extend `years` in scenario.yaml or correct the year",
                         row=r._1, column="exit_year", value=r.exit_year)
        elif r.exit_year < 1949:
            problems.add(f, "is not a plausible year", row=r._1, column="exit_year",
                         value=r.exit_year)
        for col in ("population", "poor_households"):
            val = getattr(r, col)
            if val is not None and not pd.isna(val) and val < 0:
                problems.add(f, "must be >= 0", row=r._1, column=col, value=val)


def validate_gaps(g, village_ids, codes, problems):
    f = g.attrs["file"]
    _dup(g, ["village_id", "target"], problems, "gap (village_id, target)")
    known = set(codes)
    clean = np.array([v in village_ids and t in known
                      for v, t in zip(g["village_id"].tolist(), g["target"].tolist())],
                     dtype=bool)  # a sufficient test, as _clean_projects
    clean &= ~(_numbers(g["weight"]) < 0) & ~(_numbers(g["quantity"]) <= 0)
    for r in g[~clean].itertuples():  # the rows below report nothing
        if r.village_id not in village_ids:
            problems.add(f, "unknown village_id; it is not in villages.csv",
                         row=r._1, column="village_id", value=r.village_id)
        if r.target not in codes:
            problems.add(f, f"unknown target; known: {', '.join(codes)}",
                         row=r._1, column="target", value=r.target)
        if r.weight is not None and not pd.isna(r.weight) and r.weight < 0:
            problems.add(f, "weight must be >= 0", row=r._1, column="weight", value=r.weight)
        if r.quantity is not None and not pd.isna(r.quantity) and r.quantity <= 0:
            problems.add(f, "quantity must be > 0", row=r._1, column="quantity", value=r.quantity)


def validate_projects(p, gaps_set, village_ids, streams, years, problems):
    f = p.attrs["file"]
    _dup(p, ["project_id"], problems, "project_id")
    ids = set(p["project_id"])
    first, last = years[0], years[-1]
    clean = _clean_projects(p, gaps_set, village_ids, streams, years)
    for r in p[~clean].itertuples():  # the rows below report nothing
        row = r._1
        if r.village_id not in village_ids:
            problems.add(f, "unknown village_id; it is not in villages.csv",
                         row=row, column="village_id", value=r.village_id)
        elif (r.village_id, r.target) not in gaps_set:
            problems.add(f, f"target is not a gap of village {r.village_id} in gaps.csv; "
                         "add the gap or correct the target", row=row, column="target",
                         value=r.target)
        if r.cost < 0:
            problems.add(f, "cost must be >= 0", row=row, column="cost", value=r.cost)
        if r.duration < 1 or r.duration > len(years):
            problems.add(f, f"duration must be 1..{len(years)} years (the horizon)",
                         row=row, column="duration", value=r.duration)
            continue
        if r.cost_profile is not None:
            prof = r.cost_profile
            if len(prof) != r.duration:
                problems.add(f, f"needs {r.duration} shares (one per year of duration)",
                             row=row, column="cost_profile", value=";".join(map(str, prof)))
            elif any(s < 0 for s in prof) or abs(sum(prof) - 1) > 1e-6:
                problems.add(f, f"shares must be >= 0 and sum to 1 (they sum to {sum(prof):g})",
                             row=row, column="cost_profile", value=";".join(map(str, prof)))
        lo = r.earliest_year if r.earliest_year is not None else first
        hi = r.latest_year if r.latest_year is not None else last
        for col, val in (("earliest_year", r.earliest_year), ("latest_year", r.latest_year)):
            if val is not None and not first <= val <= last:
                problems.add(f, f"year outside the horizon {first}-{last}",
                             row=row, column=col, value=val)
        if lo > hi:
            problems.add(f, "earliest_year is after latest_year", row=row,
                         column="latest_year", value=hi)
        elif min(hi, last - r.duration + 1) < lo:
            problems.add(f, f"a {r.duration}-year work starting in {lo} or later cannot "
                         f"finish by {last}", row=row, column="earliest_year", value=lo)
        if not 0 <= r.self_share <= 1:
            problems.add(f, "self_share must be between 0 and 1", row=row,
                         column="self_share", value=r.self_share)
        for s in r.streams:
            if s not in streams:
                problems.add(f, f"unknown stream; funds.csv has: {', '.join(sorted(streams))}",
                             row=row, column="streams", value=s)
        if r.contributes is not None and not pd.isna(r.contributes) and r.contributes <= 0:
            problems.add(f, "contributes must be > 0", row=row, column="contributes",
                         value=r.contributes)
        for q in r.requires:
            if q == r.project_id:
                problems.add(f, "a project cannot require itself", row=row,
                             column="requires", value=q)
            elif q not in ids:
                problems.add(f, "requires an unknown project_id; give project_ids of "
                             f"rows of {f}, `;`-separated", row=row,
                             column="requires", value=q)
    _check_cycles(p, problems)


def _numbers(column: pd.Series) -> np.ndarray:
    """The column as floats, a blank (None) as NaN."""
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def _clean_projects(p: pd.DataFrame, gaps_set, village_ids, streams, years) -> np.ndarray:
    """Rows that validate_projects' row checks would pass without a word, found a column
    at a time.  Only a sufficient test: a row with a cost profile or prerequisites, or
    with any doubt, is left to the row checks (which then report as they always did)."""
    first, last = years[0], years[-1]
    vid, target = p["village_id"].tolist(), p["target"].tolist()
    ok = np.array([v in village_ids and (v, t) in gaps_set for v, t in zip(vid, target)],
                  dtype=bool)
    cost, duration = _numbers(p["cost"]), _numbers(p["duration"])
    ok &= (cost >= 0) & (duration >= 1) & (duration <= len(years))
    ok &= p["cost_profile"].isna().to_numpy()
    early, late = _numbers(p["earliest_year"]), _numbers(p["latest_year"])
    for val in (early, late):
        ok &= np.isnan(val) | ((val >= first) & (val <= last))
    lo, hi = np.where(np.isnan(early), first, early), np.where(np.isnan(late), last, late)
    ok &= (lo <= hi) & (np.minimum(hi, last - duration + 1) >= lo)
    share = _numbers(p["self_share"])
    ok &= (share >= 0) & (share <= 1)
    known: dict[tuple, bool] = {}
    for key in p["streams"]:
        key = tuple(key)
        if key not in known:
            known[key] = all(st in streams for st in key)
    ok &= np.array([known[tuple(key)] for key in p["streams"]], dtype=bool)
    contrib = _numbers(p["contributes"])
    ok &= np.isnan(contrib) | (contrib > 0)
    ok &= np.array([len(q) == 0 for q in p["requires"]], dtype=bool)
    return ok


def _check_cycles(p: pd.DataFrame, problems: Problems):
    graph = dict(zip(p["project_id"], p["requires"]))
    rows = dict(zip(p["project_id"], p["_row"]))
    state: dict[str, int] = {}
    for start in graph:
        # a work without prerequisites lies on no cycle: no walk needs to start there
        if start in state or not graph[start]:
            continue
        stack = [(start, iter(graph[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
                continue
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                problems.add(p.attrs["file"], f"`requires` forms a cycle {' -> '.join(cycle)}; "
                             "no order can satisfy it", row=rows[nxt], column="requires")
                return
            if nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(graph[nxt])))


def validate_funds(fu, counties, codes, years, problems):
    f = fu.attrs["file"]
    _dup(fu, ["stream", "county", "year"], problems, "money row (stream, county, year)")
    for r in fu.itertuples():
        row = r._1
        if r.year not in years:
            problems.add(f, f"year outside the horizon {years[0]}-{years[-1]}",
                         row=row, column="year", value=r.year)
        if r.amount < 0:
            problems.add(f, "amount must be >= 0", row=row, column="amount", value=r.amount)
        if r.county and r.county not in counties:
            problems.add(f, f"unknown county; villages.csv has: {', '.join(sorted(counties))}",
                         row=row, column="county", value=r.county)
        for t in r.targets:
            if t != "*" and t not in codes:
                problems.add(f, f"unknown target; known: {', '.join(codes)} or *",
                             row=row, column="targets", value=t)
    for stream, grp in fu.groupby("stream", sort=False):
        pooled = grp["county"] == ""
        if pooled.any() and not pooled.all():
            problems.add(f, f"stream {stream!r} has rows with and without a county; give a "
                         "stream either per county or pooled (blank county) on every row",
                         row=int(grp.loc[pooled != pooled.iloc[0], "_row"].iloc[0]),
                         column="county")
    for r in fu.itertuples():
        k, share = r.returns_after, r.return_share
        if k is not None and not pd.isna(k) and k < 1:
            problems.add(f, "returns_after must be a whole number of years >= 1",
                         row=r._1, column="returns_after", value=k)
        if share is not None and not pd.isna(share):
            if not 0 < share <= 1:
                problems.add(f, "return_share must be in (0, 1]", row=r._1,
                             column="return_share", value=share)
            if k is None or pd.isna(k):
                problems.add(f, "return_share needs returns_after (years until the money "
                             "comes back)", row=r._1, column="returns_after")
    for r in fu.itertuples():
        lev, lim = r.leverage, r.outside_limit
        if lev is not None and not pd.isna(lev):
            if lev < 0:
                problems.add(f, "leverage must be >= 0", row=r._1, column="leverage", value=lev)
            if r.returns_after is not None and not pd.isna(r.returns_after):
                problems.add(f, "a stream is either revolving or levering, not both",
                             row=r._1, column="leverage", value=lev)
        if lim is not None and not pd.isna(lim):
            if lim < 0:
                problems.add(f, "outside_limit must be >= 0", row=r._1, column="outside_limit",
                             value=lim)
            if lev is None or pd.isna(lev):
                problems.add(f, "outside_limit needs leverage", row=r._1, column="leverage")
    for (stream, _county), grp in fu.groupby(["stream", "county"], sort=False):
        levers = {None if v is None or pd.isna(v) else float(v) for v in grp["leverage"]}
        if len(levers) > 1:
            problems.add(f, f"stream {stream!r} gives different leverage on different rows; "
                         "give the same on every row of a stream",
                         row=int(grp["_row"].iloc[1]), column="leverage")
        revolving = {(None if v is None or pd.isna(v) else int(v),
                      None if w is None or pd.isna(w) else float(w))
                     for v, w in zip(grp["returns_after"], grp["return_share"])}
        if len(revolving) > 1:
            problems.add(f, f"stream {stream!r} gives different returns_after/return_share "
                         "on different rows; give the same on every row of a stream",
                         row=int(grp["_row"].iloc[1]), column="returns_after")
        kinds = {tuple(sorted(t)) for t in grp["targets"]}
        if len(kinds) > 1:
            problems.add(f, f"stream {stream!r} lists different targets in different years; "
                         "give the same targets on every row of a stream",
                         row=int(grp["_row"].iloc[1]), column="targets")


#: Above this median, costs or amounts look like 元 rather than 万元.
YUAN_SUSPECT = 1e5


def unit_warnings(projects: pd.DataFrame, funds: pd.DataFrame) -> list[str]:
    """Money that looks like 元 instead of 万元: a warning, the plan is still made."""
    out = []
    med_cost = float(projects["cost"].median()) if len(projects) else 0.0
    med_amount = float(funds["amount"].median()) if len(funds) else 0.0
    for file, column, what, med, other, other_what in (
            (projects.attrs.get("file", "projects.csv"), "cost", "project cost", med_cost,
             med_amount, "fund amount"),
            (funds.attrs.get("file", "funds.csv"), "amount", "fund amount", med_amount,
             med_cost, "project cost")):
        if med <= YUAN_SUSPECT:
            continue
        ratio = f"{med / YUAN_SUSPECT:.3g} times the plausible {YUAN_SUSPECT:,.0f} 万元"
        if other > 0:
            ratio += f", and {med / other:.3g} times the median {other_what} ({other:,.4g})"
        out.append(f"{file}, column {column}: the median {what} is {med:,.4g}, {ratio}; "
                   "the money looks like 元 rather than 万元: divide it by 10,000")
    return out


def fill_project_defaults(p: pd.DataFrame, years, catalogue, departments=None
                          ) -> pd.DataFrame:
    """The documented defaults of projects.csv; `departments` (name -> canonical name,
    planner.departments.names) gives each department its one name."""
    p = p.copy()
    p["earliest_year"] = [y if y is not None else years[0] for y in p["earliest_year"]]
    p["latest_year"] = [y if y is not None else years[-1] for y in p["latest_year"]]
    p["cost_profile"] = [prof if prof is not None else tuple([1.0 / d] * d)
                         for prof, d in zip(p["cost_profile"], p["duration"])]
    p["department"] = [d if d else catalogue[t]["department"]
                       for d, t in zip(p["department"], p["target"])]
    if departments is not None:
        p["department"] = [departments.get(d, d) for d in p["department"]]
    return p


def forced_projects(scn) -> dict[str, str]:
    """Projects every plan must contain, with the reason: locked in, or the only work
    for a gap that a hard deadline with share 1 requires closed."""
    forced = {pid: "it is locked in" for pid in sorted(scn.lock_in)}
    v = scn.villages[~scn.villages["relocated"].astype(bool)]
    p = scn.projects
    sole = ~p.duplicated(["village_id", "target"], keep=False)  # the gap's only work
    for d in scn.deadlines:
        if d.soft or d.share < 1:
            continue
        if d.scope == "all":
            scope = v["village_id"]
        elif d.scope == "deep_poverty":
            scope = v.loc[v["deep_poverty"].astype(bool), "village_id"]
        else:
            scope = v.loc[v["county"].isin(d.scope), "village_id"]
        hit = sole & (p["target"] == d.target) & p["village_id"].isin(scope)
        for pid, vid in zip(p.loc[hit, "project_id"], p.loc[hit, "village_id"]):
            forced.setdefault(pid, f"it is the only work for the {d.target} gap of "
                              f"{vid}, which deadline {d.label()} requires closed")
    return forced


def check_forced(scn, problems: Problems, forced: dict[str, str] | None = None,
                 file: str | None = None) -> None:
    """Forced projects that cannot all be done: two in one alternative group, or one
    locked out.  Named here, before a solve would blame the money."""
    forced = forced if forced is not None else forced_projects(scn)
    f = file or scn.projects.attrs.get("file", "projects.csv")
    for pid in sorted(set(forced) & set(scn.lock_out)):
        problems.add(file or "scenario.yaml", f"project {pid} is locked out, but {forced[pid]}; "
                     "remove the lock or the reason", column="lock", value=pid)
    p = scn.projects
    p = p[p["project_id"].isin(forced) & (p["alternative_group"] != "")]
    p = p[p.duplicated("alternative_group", keep=False)]
    county = dict(zip(scn.villages["village_id"], scn.villages["county"]))
    for group, grp in p.groupby("alternative_group", sort=True):
        a, b = sorted(grp["project_id"])[:2]
        counties = sorted({county[v] for v in grp["village_id"]})
        across = f" (it spans counties {', '.join(counties)})" if len(counties) > 1 else ""
        row = int(grp.loc[grp["project_id"] == b, "_row"].iloc[0])
        problems.add(f, f"alternative group {group!r}{across} allows one project, but "
                     f"{a} is needed because {forced[a]}, and {b} because {forced[b]}; give "
                     "them different groups or relax the reason",
                     row=None if file else row, column="alternative_group", value=group)
