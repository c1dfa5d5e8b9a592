"""villages.csv against the table the schedule implies."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..tables import parse_bool
from .facts import Facts
from .files import VILLAGE_COLUMNS, VILLAGE_MORE
from .language import is_chinese
from .report import Report

LISTS = ("open_targets", "late_targets")
INTS = ("exit_year", "gaps", "gaps_closed", "exit_gaps", "completion_year")
BOOLS = ("on_time", "deep_poverty", "relocated", "on_time_possible")


def _norm_int(text: pd.Series) -> pd.Series:
    num = pd.to_numeric(text, errors="coerce")
    good = num.notna() & np.isfinite(num) & (num == np.round(num))
    out = text.astype(object).copy()
    out[good] = num[good].astype(np.int64).astype(str)
    return out


def _norm_bool(text: pd.Series) -> pd.Series:
    def norm(x: str) -> str:
        b = parse_bool(x) if x else None
        return x if b is None else ("true" if b else "false")
    return _each_distinct(text, norm)


def _norm_list(text: pd.Series) -> pd.Series:
    """A `;` list as its sorted items (the order of the targets is no claim)."""
    return _each_distinct(text, lambda x: ";".join(sorted(t.strip() for t in str(x).split(";")
                                                          if t.strip())))


def _each_distinct(text: pd.Series, norm) -> pd.Series:
    """text.map(norm), with `norm` called once per distinct cell."""
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    normed = np.empty(len(uniques), dtype=object)
    normed[:] = [norm(u) for u in uniques]
    return pd.Series(normed[codes], index=text.index, dtype=object)


def check_villages_table(f: Facts, plan: pd.DataFrame, rep: Report) -> None:
    """villages.csv: one row per village of the inputs (relocated ones with a blank
    on_time, completion_year and late_targets, 0 gaps closed and exit gaps), with
    its name, county, township, exit year, deep_poverty and relocated as the inputs
    give them, and gaps, gaps_closed, exit_gaps, on_time (every exit-standard gap
    closed by the due year), completion_year (last exit-standard gap's finish; first
    year - 1 without any; blank while one is open), open_targets and late_targets
    (closed after the due year) as recomputed."""
    want = f.village_table
    if is_chinese(plan):  # the lists name the targets: read them as codes
        codes = {name: code for code, (name, _) in f.inp.catalogue.items()}
        plan = plan.copy()
        for col in LISTS:
            if col in plan.columns:
                plan[col] = plan[col].map(lambda t: ";".join(
                    codes.get(x.strip(), x.strip()) for x in str(t).split(";")))
    # why_not_possible is prose: check_why_not_possible checks where it is given
    columns = list(VILLAGE_COLUMNS) + [c for c in VILLAGE_MORE
                                       if c in plan.columns and c in want.columns]
    dup = plan[plan.duplicated("village_id", keep="first")]
    rep.each("villages", dup[["_row", "village_id"]],
             lambda r: f"villages.csv row {r['_row']}: a second row for village {r['village_id']}")
    plan = plan.drop_duplicates("village_id").copy()
    exp = want[columns].astype(str).copy()
    for frame in (plan, exp):
        for col in columns:
            if col in INTS:
                frame[col] = _norm_int(frame[col])
            elif col in BOOLS:
                frame[col] = _norm_bool(frame[col])
            elif col in LISTS:
                frame[col] = _norm_list(frame[col])
    both = exp.merge(plan[columns + ["_row"]], on="village_id", how="outer",
                     suffixes=("", "_plan"), indicator=True)
    rep.each("villages", both[both["_merge"] == "left_only"],
             lambda r: f"villages.csv has no row for village {r['village_id']}")
    rep.each("villages", both[both["_merge"] == "right_only"],
             lambda r: f"villages.csv row {int(r['_row'])}: village {r['village_id']} is not "
                       "a village of the scenario")
    both = both[both["_merge"] == "both"]
    for col in columns[1:]:
        bad = both[both[col] != both[f"{col}_plan"]]
        rep.each("villages", bad,
                 lambda r, col=col: f"villages.csv row {int(r['_row'])}, village "
                                    f"{r['village_id']}: {col} is {r[col + '_plan']!r}; "
                                    f"the inputs and the schedule give {r[col]!r}")


def check_why_not_possible(plan: pd.DataFrame, rep: Report) -> None:
    """why_not_possible says why exactly where on_time_possible is false."""
    if "why_not_possible" not in plan.columns or "on_time_possible" not in plan.columns:
        return
    said = plan["why_not_possible"].fillna("").astype(str).str.strip() != ""
    impossible = _norm_bool(plan["on_time_possible"].fillna("").astype(str)) == "false"
    bad = plan[said != impossible]
    rep.each("villages", bad[["_row", "village_id"]],
             lambda r: f"villages.csv row {r['_row']}, village {r['village_id']}: "
                       "why_not_possible must be given exactly when on_time_possible is false")
