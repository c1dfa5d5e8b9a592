"""`planner needs`: the least money that meets every exit standard and deadline.

What no money can make hold is found first and left out of what follows, each with
its reason, as rows of needs.csv (`kind`):
- `exit gap no money can close`: an exit-standard gap no work can close by its
  village's due year (models.possible.exit_obstacles, the reasons villages.csv gives:
  no work, every work locked out, no fund may pay, a work too long for the due year);
- `exit gap no plan can close`: one that cannot close in time together with the other
  hard rules (prerequisites, alternative groups, deadlines), found by the elastic
  solve with unlimited money;
- `deadline no money can meet`: a hard deadline that solve finds short.

Three answers, each from its own solve:
- total (`needs.json` least_total_money): the least pooled money over the horizon
  when money were no limit (objective min_cost with every budget unbounded);
- the funding gap, with the money the scenario has (models.funding_gap): the least
  extra money that makes every exit standard and hard deadline hold (the `total` row
  of needs.csv); its split over stream, county and year by a rule written into the
  output (`funding_gap`, `needed` = budget + funding_gap), and per pool-year the range
  `funding_gap_min`..`funding_gap_max` it may take among the splits of the same least
  total that fund the same works: other splits cost the same whenever a range is wide;
- the marginal value of each stream-year in the scenario's own objective:
  the dual price of its budget row in the LP relaxation (value per money unit;
  an optimistic estimate, since the integer plan may not use a little money).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from models.funding_gap import SPLIT_RULE, SPLIT_RULE_ZH, TOLERANCE, funding_gap
from models.marginal import budget_duals
from models.params import SolveParams
from models.possible import exit_obstacles
from models.solve import solve

from .build import build_instance
from .scenario import Scenario

UNLIMITED = 10 ** 13  # units; far above any county's or province's money
#: needs.csv, in order: the money rows' columns first (as before), then the new ones
COLUMNS = ["stream", "county", "year", "budget", "funding_gap", "needed", "marginal_value",
           "funding_gap_min", "funding_gap_max", "kind", "village_id", "village_name",
           "target", "target_name", "reason"]


def needs(scn: Scenario, progress=None, lang: str | None = None,
          **solver_given) -> tuple[pd.DataFrame, dict]:
    """The least money per pool-year (needs.csv) and its summary; the solver settings:
    scenario.yaml's `solver:` < `solver_given`; `progress`: a planner.progress.Progress
    (or None), told each step; `lang`: the language of the reasons (None: the
    scenario's; the kinds and headers are translated when written,
    planner.plan.lang.whatif_table)."""
    from models.budget import TimeBudget

    from .plan.lang import deadline_text, scenario_target_names
    from .words import VALUES

    zh = (lang or scn.lang) == "zh"
    names = scenario_target_names(scn)

    step = progress.update if progress else (lambda text: None)
    inst = build_instance(scn)
    need_inst = inst.replace(objective="min_cost")
    units = inst.money_units
    params = SolveParams.merged(scn.solver, **solver_given)
    # one time limit for the command, each solve a share of what is left
    budget = TimeBudget(params.time_limit)
    share = lambda solves_left: replace(params, time_limit=budget.share(1 / solves_left))
    # 0. what no money can make hold: exit gaps first (no solve), then the elastic solve
    step("what no money can make hold")
    blocked = _blocked_gaps(scn, inst, names if zh else None)
    need_inst = need_inst.replace(gap_exit=inst.gap_exit & ~np.isin(
        np.arange(inst.n_gaps), [g for g, _ in blocked]))
    elastic = _impossible(need_inst, share(5), share(4))
    drop = np.array([_gap_label(inst, g) in elastic["exit"] for g in range(inst.n_gaps)],
                    dtype=bool)
    need_inst = need_inst.replace(
        gap_exit=need_inst.gap_exit & ~drop,
        deadlines=tuple(d for d in inst.deadlines if d.label not in elastic["deadline"]))
    # 1. total least money
    step("the least money, money unlimited")
    free = need_inst.replace(pool_budget_units=np.full_like(inst.pool_budget_units, UNLIMITED))
    res = solve(free, share(3), progress=progress or False)
    if not res.has_solution:
        raise RuntimeError(f"even unlimited money cannot meet every exit standard and "
                           f"deadline ({res.status.value}): some gap has no eligible work in time")
    total_needed = float(res.objective)
    # 2. funding gap with the money as it is: least total, its split, each range
    gap = funding_gap(need_inst, params, TimeBudget(budget.share(2 / 3)), progress)
    extra = gap.extra if gap.total is not None else np.zeros(inst.pool_budget_units.shape)
    # 3. marginal value per pool-year (the scenario's own objective)
    step("marginal values (LP relaxation)")
    duals = budget_duals(inst)
    rule = (f"缺口分配规则：{SPLIT_RULE_ZH}；资金缺口下限..上限：在追加总额同为最少、资助同样"
            "项目的各种分配中，各渠道各年度可分得的范围" if zh else
            f"funding gap split rule: {SPLIT_RULE}; funding_gap_min..funding_gap_max: what "
            "each stream-year may take among the splits of the same least total that fund "
            "the same works")
    same = _same_cost(gap, zh)
    status = VALUES.get(gap.status.value, (gap.status.value,) * 2)[1] if zh \
        else gap.status.value
    rows = [{"kind": "total", "budget": round(inst.pool_budget_units.sum() / units, 4),
             "funding_gap": _money(gap.total), "needed": _money(
                 None if gap.total is None else inst.pool_budget_units.sum() / units + gap.total),
             "reason": f"满足全部退出标准和硬时限所需的最少追加资金（{status}）；{same}；{rule}"
             if zh else f"least extra money for every exit standard and hard deadline "
                        f"({status}); {same}; {rule}"}]
    for b in range(inst.n_pools):
        county = inst.county_names[inst.pool_county[b]] if inst.pool_county[b] >= 0 else ""
        for t in range(inst.n_years):
            money = inst.pool_budget_units[b, t] / units
            rows.append({"kind": "money", "stream": inst.pool_stream[b], "county": county,
                         "year": int(inst.years[t]), "budget": round(money, 4),
                         "funding_gap": round(extra[b, t], 4),
                         "needed": round(money + extra[b, t], 4),
                         "marginal_value": round(float(duals[b, t]), 6),
                         "funding_gap_min": _money(gap.low[b, t]),
                         "funding_gap_max": _money(gap.high[b, t])})
    rows += [_gap_row(scn, inst, g, "exit gap no money can close", text) for g, text in blocked]
    rows += [_gap_row(scn, inst, g, "exit gap no plan can close",
                      "资金再多，也没有方案能在满足其他硬约束（前置项目、互斥组、锁定、政策时限）"
                      "的同时于该村应退出年度前补齐" if zh else
                      "no plan closes it by its village's due year together with the other "
                      "hard rules (prerequisites, alternative groups, locks, deadlines), "
                      "whatever the money")
             for g in np.flatnonzero(drop)]
    rows += [{"kind": "deadline no money can meet", "reason":
              f"政策时限（{deadline_text(label, True, names)}）资金再多也无法达到：差 "
              f"{elastic['deadline'][label]:.0f} 个村" if zh else
              f"deadline {label} cannot be met whatever the money: short by "
              f"{elastic['deadline'][label]:.0f} village(s)"}
             for label in sorted(elastic["deadline"])]
    table = pd.DataFrame([{c: r.get(c, "") for c in COLUMNS} for r in rows], columns=COLUMNS,
                         dtype=object)
    summary = {
        "scenario": scn.name,
        "least_total_money": round(total_needed, 4),
        "money_available": round(float(inst.pool_budget_units.sum() / units), 4),
        "funding_gap_total": _money(gap.total) if gap.total is not None else None,
        "funding_gap_rule": SPLIT_RULE,
        "funding_gap_tolerance": TOLERANCE,
        "funding_gap_split_unique": gap.unique,
        "funding_gap_rule_status": gap.rule_status,
        "funding_gap_ranges_complete": gap.ranges_done,
        "status_total": res.status.value,
        "status_gap": gap.status.value,
        "marginal_value_source": "LP-relaxation dual prices of the budget rows "
                                 f"({scn.objective} objective), value per money unit",
        "impossible_exit_gaps": sorted([_gap_label(inst, g) for g, _ in blocked]
                                       + [_gap_label(inst, g) for g in np.flatnonzero(drop)]),
        "impossible_exit_reasons": {_gap_label(inst, g): text for g, text in blocked},
        "impossible_deadlines": sorted(elastic["deadline"]),
    }
    return table, summary


def _same_cost(gap, zh: bool = False) -> str:
    """Whether other splits cost the same, as far as the ranges computed show."""
    if gap.total is None:
        return "追加资金也找不到方案" if zh else "no plan even with extra money"
    done, wide = gap.computed, bool(gap.wide.any())
    if zh:
        parts = ["各渠道各年度的其他分配花费相同（见上下限）" if wide else
                 "资助同样项目的其他分配都不如此省" if gap.ranges_done else
                 "已算出的范围中没有其他同样省的分配"]
        if not gap.ranges_done:
            parts.append(f"时限内算出 {int(done.sum())} / {done.size} 个渠道年度的范围"
                         "（空白：未算）")
        return "；".join(parts)
    parts = ["other splits of the stream-years cost the same (see the ranges)" if wide else
             "no other split of the same works costs the same" if gap.ranges_done else
             "no other split found among the ranges computed"]
    if not gap.ranges_done:
        parts.append(f"ranges computed for {int(done.sum())} of {done.size} stream-years "
                     "within the time limit (blank: not computed)")
    return "; ".join(parts)


def _money(amount) -> float | str:
    """An amount rounded to 4 decimals; '' for none (not computed)."""
    return "" if amount is None or np.isnan(amount) else round(float(amount), 4)


def _gap_label(inst, g: int) -> str:
    """An exit gap as the elastic solve names it: "<village_id>/<target>"."""
    return f"{inst.village_ids[inst.gap_village[g]]}/{inst.target_codes[inst.gap_target[g]]}"


def _blocked_gaps(scn, inst, names: dict[str, str] | None = None) -> list[tuple[int, str]]:
    """(gap, reason) of the exit gaps no money can close by the due year: the obstacles of
    models.possible, in the words of villages.csv's why_not_possible (in Chinese given
    the targets' Chinese `names`)."""
    from .plan.villages import why

    if names is not None:
        return [(o.gap, f"资金再多也无法在该村应退出年度前补齐：{why(inst, o, names)}")
                for obstacles in exit_obstacles(inst).values() for o in obstacles]
    return [(o.gap, f"no money can close it by its village's due year: {why(inst, o)}")
            for obstacles in exit_obstacles(inst).values() for o in obstacles]


def _gap_row(scn, inst, g: int, kind: str, reason: str) -> dict:
    vid = inst.village_ids[inst.gap_village[g]]
    target = inst.target_codes[inst.gap_target[g]]
    vil = scn.villages.set_index("village_id")
    return {"kind": kind, "county": vil.at[vid, "county"],
            "year": int(inst.years[inst.village_due[inst.gap_village[g]]]),
            "village_id": vid, "village_name": vil.at[vid, "name"], "target": target,
            "target_name": scn.targets.get(target, {}).get("name_zh", ""), "reason": reason}


def _impossible(inst, params, elastic_params) -> dict:
    """Exit-standard gaps and hard deadlines no amount of money can make hold: the
    elastic solve with unlimited money, minimising the rules broken.  {"exit": {label:
    amount}, "deadline": {label: villages short}}."""
    free = inst.replace(pool_budget_units=np.full_like(inst.pool_budget_units, UNLIMITED))
    out = {"exit": {}, "deadline": {}}
    if solve(free, params).has_solution:
        return out
    res = solve(free, replace(elastic_params, gap=0), elastic="rules")
    for (kind, label), amount in (res.options.get("slack", {}) if res.has_solution else {}).items():
        if kind in out:
            out[kind][label] = amount
    return out
