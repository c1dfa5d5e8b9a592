"""Project rules: each schedule row names a project of the inputs with its labels,
starts once inside its window, finishes when its duration says, has one row per
year it spends in at the cost its profile gives; prerequisites, alternative groups,
one work per gap, locks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .facts import Facts
from .report import MONEY_UNITS, ONE_UNIT, TOL, Report, money


def check_projects(f: Facts, rep: Report) -> None:
    """Every row names a project of projects.csv, with its village, target and the
    village's county; labels (village name, exit year, target name, department)
    are the inputs'."""
    s = f.sched
    rep.each("project", s[~s["known"]][["_row", "project_id", "village_id"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} "
                       f"(village {r['village_id']}) is not in projects.csv")
    k = s[s["known"]]
    for col, truth, what in (("village_id", "p_village_id", "projects.csv says village"),
                             ("target", "p_target", "projects.csv says target"),
                             ("county", "v_county", "villages.csv puts its village in")):
        bad = k[k[col] != k[truth].fillna("")]
        rep.each("project", bad[["_row", "project_id", "year", col, truth]],
                 lambda r, col=col, truth=truth, what=what:
                 f"schedule.csv row {r['_row']}: project {r['project_id']} in {r['year']} "
                 f"has {col} {r[col]!r}; {what} {r[truth]!r}")
    names = {code: t[0] for code, t in f.inp.catalogue.items()}
    k = k.assign(t_name=k["p_target"].map(names).fillna(""),
                 v_exit=k["v_exit_year"].fillna(-1).astype(np.int64))
    labels = [("village_name", "v_name"), ("exit_year", "v_exit"),
              ("target_name", "t_name"), ("department", "p_department")]
    if "township" in k.columns:
        labels.append(("township", "v_township"))
    for col, truth in labels:
        bad = k[k[col] != k[truth].fillna("")]
        rep.each("label", bad[["_row", "project_id", "year", col, truth]],
                 lambda r, col=col, truth=truth:
                 f"schedule.csv row {r['_row']}: project {r['project_id']} in {r['year']} "
                 f"has {col} {r[col]!r}; the inputs give {r[truth]!r}")


def check_relocated(f: Facts, rep: Report) -> None:
    """A relocated village (整村搬迁) is not planned: none of its works is scheduled."""
    s = f.sched
    bad = s[s["v_relocated"]].drop_duplicates("project_id")
    rep.each("relocated", bad[["_row", "project_id", "village_id", "year"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} is a work "
                       f"in village {r['village_id']}, which is relocated and not planned")


def check_start(f: Facts, rep: Report) -> None:
    """A project starts once (all its rows agree on start and finish year), and in
    earliest_year..latest_year."""
    st = f.starts
    s = f.sched
    bad = st[(st["n_start"] > 1) | (st["n_finish"] > 1)]
    if len(bad):
        seen = (s[s["project_id"].isin(bad["project_id"])]
                .groupby("project_id")[["start_year", "finish_year"]]
                .agg(lambda x: ", ".join(map(str, sorted(set(x))))))
        rep.each("start", seen.reset_index(),
                 lambda r: f"project {r['project_id']}: its rows disagree on the start "
                           f"(start_year {r['start_year']}; finish_year {r['finish_year']})")
    bad = st[(st["start"] < st["p_earliest"]) | (st["start"] > st["p_latest"])]
    rep.each("start", bad[["project_id", "start", "p_earliest", "p_latest"]],
             lambda r: f"project {r['project_id']} starts in {r['start']}, outside its "
                       f"window {r['p_earliest']}-{r['p_latest']} (earliest_year-latest_year)")


def check_finish(f: Facts, rep: Report) -> None:
    """finish_year = start_year + duration - 1, and the work finishes inside the horizon."""
    st = f.starts
    want = st["start"] + st["p_duration"] - 1
    bad = st.assign(want=want)[st["finish"] != want]
    rep.each("finish", bad[["project_id", "start", "finish", "p_duration", "want"]],
             lambda r: f"project {r['project_id']} starts {r['start']} with duration "
                       f"{r['p_duration']}, so finishes {r['want']}; the plan says {r['finish']}")
    bad = st.assign(want=want)[(want > f.last) | (st["start"] < f.first)]
    rep.each("finish", bad[["project_id", "start", "want"]],
             lambda r: f"project {r['project_id']} runs {r['start']}-{r['want']}, outside the "
                       f"horizon {f.first}-{f.last}")


def _project_years(f: Facts) -> pd.DataFrame:
    """One row per scheduled project and year of its duration: its share of the cost,
    the unrounded cost in units (`raw`) and whether the year must have a row."""
    st = f.starts[["project_id", "start", "p_cost", "p_profile", "p_self_share"]]
    ex = st.explode("p_profile", ignore_index=True)
    ex["k"] = ex.groupby("project_id", sort=False).cumcount()
    ex["year"] = ex["start"] + ex["k"]
    ex["share"] = ex["p_profile"].astype(float)
    total = np.round(ex["p_cost"].to_numpy(float) * MONEY_UNITS)
    ex["raw"] = total * ex["share"]
    ex["required"] = ex["raw"] >= 1 - 1e-9  # rounds to at least one unit
    return ex


def check_rows(f: Facts, rep: Report) -> None:
    """One row per project and year it spends in (years whose share rounds to no
    money may be absent); no row outside start..finish or the horizon."""
    s = f.sched
    dup = s[s.duplicated(["project_id", "year"], keep=False)].drop_duplicates(
        ["project_id", "year"])
    rep.each("rows", dup[["_row", "project_id", "year"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} has more "
                       f"than one row for {r['year']}")
    out = s[(s["year"] < f.first) | (s["year"] > f.last)]
    rep.each("rows", out[["_row", "project_id", "year"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} has a row for "
                       f"{r['year']}, outside the horizon {f.first}-{f.last}")
    ex = _project_years(f)
    k = s[s["known"]][["_row", "project_id", "year"]]
    both = ex.merge(k, on=["project_id", "year"], how="outer", indicator=True)
    missing = both[(both["_merge"] == "left_only") & both["required"].fillna(False).astype(bool)]
    rep.each("rows", missing[["project_id", "year", "k", "share", "raw"]],
             lambda r: f"project {r['project_id']} spends {money(r['raw'] / MONEY_UNITS)} in "
                       f"{r['year']} (year {int(r['k']) + 1} of its duration, "
                       f"share {r['share']:g}) "
                       f"but schedule.csv has no row for it")
    extra = both.loc[both["_merge"] == "right_only", ["_row", "project_id", "year"]]
    extra = extra.merge(f.starts[["project_id", "start", "p_duration"]], on="project_id")
    rep.each("rows", extra[["_row", "project_id", "year", "start", "p_duration"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} has a row "
                       f"for {r['year']}, outside its years {r['start']}-"
                       f"{r['start'] + r['p_duration'] - 1}")


def check_costs(f: Facts, rep: Report) -> None:
    """Each row's cost is the project's cost times the year's profile share (one unit
    of rounding); a project's rows add up to its cost rounded to whole units;
    pooled_cost = (1 - self_share) * cost (one unit); self_funded = cost - pooled_cost."""
    s = f.sched
    ex = _project_years(f)
    k = s[s["known"]][["_row", "project_id", "year", "cost", "pooled_cost", "p_self_share"]]
    both = k.merge(ex[["project_id", "year", "raw", "share"]], on=["project_id", "year"],
                   how="inner")
    bad = both[(both["cost"] - both["raw"] / MONEY_UNITS).abs() > ONE_UNIT]
    rep.each("cost", bad,
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} costs "
                       f"{money(r['cost'])} in {r['year']}; its cost times share {r['share']:g} "
                       f"is {r['raw'] / MONEY_UNITS:.5f}")
    tot = k.groupby("project_id")["cost"].sum().rename("written").reset_index()
    tot = tot.merge(f.starts[["project_id", "p_cost"]], on="project_id")
    tot["want"] = np.round(tot["p_cost"].to_numpy(float) * MONEY_UNITS) / MONEY_UNITS
    bad = tot[(tot["written"] - tot["want"]).abs() > TOL]
    rep.each("cost", bad,
             lambda r: f"project {r['project_id']}: its rows cost {money(r['written'])} in all; "
                       f"projects.csv gives cost {r['p_cost']:g} ({money(r['want'])})")
    share = 1 - s["p_self_share"]
    want = share * s["cost"]
    bad = s.assign(want=want)[s["known"] & ((s["pooled_cost"] - want).abs() > ONE_UNIT)]
    rep.each("cost", bad[["_row", "project_id", "year", "cost", "pooled_cost", "p_self_share",
                          "want"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} in {r['year']} "
                       f"has pooled_cost {money(r['pooled_cost'])}; (1 - self_share "
                       f"{r['p_self_share']:g}) * cost {money(r['cost'])} = {r['want']:.5f}")
    self_funded = s["cost"] - s["pooled_cost"]
    bad = s.assign(want=self_funded)[(s["self_funded"] - self_funded).abs() > TOL]
    rep.each("cost", bad[["_row", "project_id", "year", "self_funded", "want"]],
             lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} in {r['year']} "
                       f"has self_funded {money(r['self_funded'])}; cost - pooled_cost is "
                       f"{money(r['want'])}")
    check_work_totals(f, rep)


def check_work_totals(f: Facts, rep: Report) -> None:
    """work_cost (where written) is on every row of a work its cost in projects.csv
    rounded to whole units; work_pooled_cost the pooled_cost of its rows added up (each
    row's pooled_cost is (1 - self_share) x its cost, checked above), and within half a
    unit per year of (1 - self_share) x the work's cost."""
    s = f.sched[f.sched["known"]]
    if "work_cost" in s.columns:
        want = np.round(s["p_cost"].to_numpy(float) * MONEY_UNITS) / MONEY_UNITS
        bad = s.assign(want=want)[(s["work_cost"] - want).abs() > TOL]
        rep.each("cost", bad[["_row", "project_id", "year", "work_cost", "p_cost", "want"]],
                 lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} in "
                           f"{r['year']} has work_cost {money(r['work_cost'])}; projects.csv "
                           f"gives cost {r['p_cost']:g} ({money(r['want'])})")
    if "work_pooled_cost" in s.columns:
        want = s.groupby("project_id")["pooled_cost"].transform("sum")
        bad = s.assign(want=want)[(s["work_pooled_cost"] - want).abs() > TOL]
        rep.each("cost", bad[["_row", "project_id", "year", "work_pooled_cost", "want"]],
                 lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} in "
                           f"{r['year']} has work_pooled_cost {money(r['work_pooled_cost'])}; "
                           f"its rows' pooled_cost add up to {money(r['want'])}")
        share = 1 - s["p_self_share"].to_numpy(float)
        whole = np.round(s["p_cost"].to_numpy(float) * MONEY_UNITS) / MONEY_UNITS
        slack = s["p_duration"].to_numpy(float) * ONE_UNIT / 2
        bad = s.assign(want=share * whole)[(s["work_pooled_cost"] - share * whole).abs()
                                           > slack + TOL]
        rep.each("cost", bad[["_row", "project_id", "year", "work_pooled_cost",
                              "p_self_share", "want"]],
                 lambda r: f"schedule.csv row {r['_row']}: project {r['project_id']} in "
                           f"{r['year']} has work_pooled_cost {money(r['work_pooled_cost'])}; "
                           f"(1 - self_share {r['p_self_share']:g}) x its cost is "
                           f"{r['want']:.5f}")




def check_requires(f: Facts, rep: Report) -> None:
    """Every project a scheduled project `requires` is scheduled and finishes in a
    year before this one starts."""
    st = f.starts[["project_id", "start", "p_requires"]]
    req = st.explode("p_requires").dropna(subset=["p_requires"])
    if req.empty:
        return
    pre = f.starts[["project_id", "finish"]].rename(
        columns={"project_id": "p_requires", "finish": "pre_finish"})
    req = req.merge(pre, on="p_requires", how="left")
    rep.each("requires", req[req["pre_finish"].isna()],
             lambda r: f"project {r['project_id']} (start {r['start']}) requires "
                       f"{r['p_requires']}, which is not scheduled")
    bad = req[req["pre_finish"].notna() & (req["pre_finish"] >= req["start"])]
    rep.each("requires", bad,
             lambda r: f"project {r['project_id']} starts in {r['start']} but its prerequisite "
                       f"{r['p_requires']} finishes in {int(r['pre_finish'])}; it must finish "
                       "in a year before")


def check_alternative_groups(f: Facts, rep: Report) -> None:
    """At most one scheduled project per alternative_group."""
    st = f.starts[f.starts["p_group"] != ""]
    st = st[st.duplicated("p_group", keep=False)]
    rep.each_group("alternative_group", st, ["p_group"],
                   lambda g: f"alternative group {g['p_group'].iloc[0]}: {len(g)} projects are "
                             f"scheduled ({', '.join(g['project_id'])}); at most one may be")


def check_one_per_gap(f: Facts, rep: Report) -> None:
    """One work per gap: at most one scheduled project per (village, target), unless
    the gap is cumulative (has a `quantity`): then several may add up to it."""
    st = f.starts[["project_id", "p_village_id", "p_target"]]
    g = f.gaps[["village_id", "target", "quantity"]].rename(
        columns={"village_id": "p_village_id", "target": "p_target"})
    st = st.merge(g, on=["p_village_id", "p_target"], how="left")
    st = st[st["quantity"].isna()]
    st = st[st.duplicated(["p_village_id", "p_target"], keep=False)]
    rep.each_group("one_per_gap", st, ["p_village_id", "p_target"],
                   lambda g: f"village {g['p_village_id'].iloc[0]}, target "
                             f"{g['p_target'].iloc[0]}: {len(g)} works are scheduled "
                             f"({', '.join(g['project_id'])}) for one gap")


def check_locks(f: Facts, rep: Report) -> None:
    """Every lock_in project is scheduled; no lock_out project is."""
    chosen = set(f.sched["project_id"])
    for pid in sorted(f.inp.lock_in - chosen):
        rep.add("lock", f"project {pid} is locked in but not scheduled")
    for pid in sorted(f.inp.lock_out & chosen):
        rep.add("lock", f"project {pid} is locked out but scheduled")
