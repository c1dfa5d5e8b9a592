"""`planner compare`: plans side by side and what changed between them.

Each argument is a plan folder (it has summary.json) or a scenario folder
(solved first, into --out/<name> when given).  The first plan is the
reference for the changes: villages that gain or lose an on-time exit,
projects added, dropped or moved to another year (one row each, with the village,
target, years and money: planner.work_changes), money moved between streams.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from models.money import fmt

from .cells import write_xlsx
from .plan.folder import read_plan
from .plan.lang import whatif_lang, whatif_table, write_whatif
from .work_changes import WORK_COLUMNS, work_changes


@dataclass
class LoadedPlan:
    name: str
    folder: Path
    summary: dict
    schedule: pd.DataFrame
    villages: pd.DataFrame
    funds: pd.DataFrame


def load_plan(folder: Path, name: str | None = None) -> LoadedPlan:
    """A plan folder as planner.plan.folder.read_plan reads it (GBK too, ids as text)."""
    folder = Path(folder)
    plan = read_plan(folder)
    return LoadedPlan(name or plan.summary.get("scenario") or folder.name, folder,
                      plan.summary, plan.schedule, plan.villages, plan.funds)


def metrics(p: LoadedPlan) -> dict:
    s = p.summary
    out = {"value": s["objective"], "status": s["status"], "gap": s["gap"],
           "total_cost": s["total_cost"], "pooled_cost": s["pooled_cost"],
           "gaps_closed": s["gaps_closed"]}
    works = p.schedule.drop_duplicates("project_id")
    for target, n in works.groupby("target").size().items():
        out[f"gaps_closed[{target}]"] = int(n)
    for year, n in s["villages_on_time"].items():
        out[f"on_time[{year}]"] = f"{n}/{s['villages_due'].get(year, '')}"
    for year, n in (s.get("villages_possible") or {}).items():
        out[f"possible[{year}]"] = n
    for st in (s.get("exit_priority") or {}).get("stages") or []:
        out[f"batch_on_time[{st['batch']}]"] = f"{st['on_time']}/{st['due']}"
    cost = s.get("priority_cost") or {}
    for b in cost.get("batches") or []:  # planner solve --priority-cost
        out[f"weighted_on_time[{b['batch']}]"] = f"{b['weighted']}/{b['due']}"
        out[f"priority_cost[{b['batch']}]"] = b["difference"]
    if "batches" in cost:
        out["weighted_value"] = cost["value"]
    f = p.funds.copy()
    f["county"] = f["county"].astype(str)
    for r in f.itertuples():
        scope = f"{r.stream}/{r.county}" if r.county else r.stream
        out[f"spent[{scope}/{r.year}]"] = round(float(r.spent), 4)
        out[f"left[{scope}/{r.year}]"] = round(float(r.carried_out) + float(r.unused), 4)
    return out


#: compare_changes.csv: the plan compared with the first, what changed, the item (village,
#: project or stream), from -> to; then, for a work, its village, target, years, money
#: (planner.work_changes), for a village its county and name
CHANGE_COLUMNS = ["plan", "change", "item", "from", "to", *WORK_COLUMNS]


def changes(ref: LoadedPlan, other: LoadedPlan) -> pd.DataFrame:
    """The changes of `other` against `ref`, one per row: villages gaining or losing an
    on-time exit, works dropped, added or moved (planner.work_changes), money spent from
    each stream."""
    rows = []
    va = ref.villages.set_index("village_id")
    vb = other.villages.set_index("village_id")
    ta, tb = va["on_time"].astype(str), vb["on_time"].astype(str)
    for vid in va.index.intersection(vb.index):
        if ta[vid] != tb[vid] and "" not in (ta[vid], tb[vid]):
            kind = ("village gains on-time exit" if tb[vid] == "True"
                    else "village loses on-time exit")
            rows.append({"change": kind, "item": vid, "from": ta[vid], "to": tb[vid],
                         "county": vb.at[vid, "county"], "village_id": vid,
                         "village_name": vb.at[vid, "village_name"]
                         if "village_name" in vb.columns else ""})
    work = work_changes(ref, other, ("project dropped", "project added", "project moved"))
    rows += work.rename(columns={"project_id": "item"}).to_dict("records")
    spent_a = ref.summary.get("spent_by_stream", {})
    spent_b = other.summary.get("spent_by_stream", {})
    for st in sorted(set(spent_a) | set(spent_b)):
        a, b = spent_a.get(st, 0.0), spent_b.get(st, 0.0)
        if abs(a - b) >= 1e-4:
            # written as money (4 decimals), whatever the other rows' years do to the column
            rows.append({"change": "money spent from stream", "item": st, "from": fmt(a),
                         "to": fmt(b)})
    return pd.DataFrame([{"plan": other.name, **{c: r.get(c, "") for c in CHANGE_COLUMNS[1:]}}
                         for r in rows], columns=CHANGE_COLUMNS, dtype=object)


def compare(plans: list[LoadedPlan]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(side-by-side metrics, changes of each plan against the first)."""
    names = _unique([p.name for p in plans])
    cols = {n: metrics(p) for n, p in zip(names, plans)}
    keys = list(dict.fromkeys(k for m in cols.values() for k in m))
    table = pd.DataFrame({"metric": keys, **{n: [m.get(k, "") for k in keys]
                                             for n, m in cols.items()}})
    for p, n in zip(plans, names):
        p.name = n
    diff = pd.concat([changes(plans[0], p) for p in plans[1:]], ignore_index=True) \
        if len(plans) > 1 else pd.DataFrame(columns=CHANGE_COLUMNS)
    return table, diff


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}#{seen[n]}")
    return out


#: compare.xlsx's sheets in each language
SHEETS = {"en": ("compare", "changes"), "zh": ("比较", "变化")}


def write_compare(table: pd.DataFrame, diff: pd.DataFrame, out: Path, xlsx: bool = True,
                  lang=None) -> None:
    """Write the tables into `out`, a folder the caller owns (the staging folder of
    planner.outdir.output_folder): text cells neutralised (planner.cells); in `lang` (a
    planner.words.Lang, planner.plan.lang.whatif_table; None: English)."""
    lang = lang or whatif_lang("en")
    out.mkdir(parents=True, exist_ok=True)
    write_whatif(table, "compare", lang, out / "compare.csv")  # money with 4 decimals
    write_whatif(diff, "compare_changes", lang, out / "compare_changes.csv")
    if xlsx:  # money as numbers
        write_xlsx(out / "compare.xlsx", dict(zip(SHEETS[lang.code], (
            whatif_table(table, "compare", lang), whatif_table(diff, "compare_changes", lang)))))


def target_names_of(plans: list[LoadedPlan]) -> dict[str, str]:
    """code -> name of the targets, from the plans' summary.json (target_names)."""
    names: dict[str, str] = {}
    for p in plans:
        names.update(p.summary.get("target_names") or {})
    return names
