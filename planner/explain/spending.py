"""Where the plan's money of a pool and year went, each work's money counted once.

A work the plan pays from pool b in year t is put in exactly one group:

- `deadline`: its gap counts toward one or more hard deadlines (the work's target and
  its village in the deadline's scope); the group is keyed by all those deadlines, so
  money that two deadlines share (power by 2018 for the deep-poverty villages and power
  by 2020 for all) is shown once, under both names;
- `exit`: otherwise, it closes an exit-standard gap of a village the plan makes exit on
  time, keyed by the village's batch;
- `other`: anything else.

The groups of one pool and year add up to what the schedule draws from the pool that
year (funds.csv `spent`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from models.money import UNIT_NAME, fmt_short

from .context import Ctx, few


def money(amount: float) -> str:
    """An amount with its unit, for the answer: '182.15 万元'."""
    return f"{fmt_short(amount)} {UNIT_NAME}"


def years_text(years) -> str:
    """2018; 2018 and 2019; 2018, 2019 and 2020."""
    years = [str(y) for y in years]
    return years[0] if len(years) == 1 else ", ".join(years[:-1]) + " and " + years[-1]


def deadline_words(d) -> str:
    """A deadline as a sentence says it: power by 2018 (deep-poverty villages),
    broadband by 2019 (90% of villages)."""
    if d.scope == "all":
        who = "villages"
    elif d.scope == "deep_poverty":
        who = "deep-poverty villages"
    else:
        who = "villages of " + ", ".join(d.scope)
    share = "" if d.share >= 1 else f"{d.share:.0%} of "
    scope = "" if d.scope == "all" and d.share >= 1 else f" ({share}{who})"
    return f"{d.target} by {d.year}{scope}"


@dataclass
class Group:
    money: float = 0.0
    works: list[str] = field(default_factory=list)


@dataclass
class Spending:
    """What the plan spent from some pools in some years, by group (see the module)."""
    years: tuple[int, ...]
    spent: float = 0.0
    groups: dict[tuple, Group] = field(default_factory=dict)

    def add(self, key: tuple, pid: str, money: float) -> None:
        g = self.groups.setdefault(key, Group())
        g.money += money
        if pid not in g.works:
            g.works.append(pid)
        self.spent += money

    def ordered(self) -> list[tuple[tuple, Group]]:
        """Deadline groups first, then the exit batches, then the rest; each by money."""
        order = {"deadline": 0, "exit": 1, "other": 2}
        return sorted(self.groups.items(), key=lambda kv: (order[kv[0][0]], -kv[1].money))


def batches_text(years, first: int) -> str:
    """The exit batches of these exit years: 'the 2018 and 2019 batches', 'the villages
    that exited before 2018' (an exit year before the first year of the horizon)."""
    due = sorted(y for y in set(years) if y >= first)
    parts = []
    if due:
        parts.append(f"the {years_text(due)} batch{'es' if len(due) > 1 else ''}")
    if any(y < first for y in years):
        parts.append(f"the villages that exited before {first}")
    return " and ".join(parts)


def _group_text(key: tuple, first: int) -> str:
    kind = key[0]
    if kind == "deadline":
        names = list(key[1])
        return ("works for hard deadline" + ("s " if len(names) > 1 else " ")
                + " and ".join(names))
    if kind == "exit":
        return f"works making villages of {batches_text([key[1]], first)} exit on time"
    return "other works"


class Ledger:
    """The plan's works, each in its group once (see the module)."""

    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        inst, scn = ctx.inst, ctx.scn
        exit_year = dict(zip(scn.villages["village_id"], scn.villages["exit_year"]))
        hard = [(deadline_words(d), int(spec.target), set(spec.villages.tolist()))
                for d, spec in zip(scn.deadlines, inst.deadlines) if not d.soft]
        self.key: dict[str, tuple] = {}
        for q in np.flatnonzero(ctx.start >= 0):
            g = int(inst.proj_gap[q])
            v = int(inst.gap_village[g])
            names = tuple(words for words, target, scope in hard
                          if target == inst.gap_target[g] and v in scope)
            if names:
                key = ("deadline", names)
            elif inst.gap_exit[g] and ctx.on_time[v]:
                key = ("exit", int(exit_year[inst.village_ids[v]]))
            else:
                key = ("other",)
            self.key[inst.project_ids[q]] = key

    def spending(self, pools, t) -> Spending:
        """What the plan drew from `pools` (pool indices) in year index t (or in each of
        the year indices t)."""
        ctx, inst = self.ctx, self.ctx.inst
        years = tuple(sorted({ctx.year(x) for x in np.atleast_1d(t)}))
        out = Spending(years)
        rows = ctx.schedule[ctx.schedule["year"].astype(int).isin(years)]
        for b in pools:
            stream = inst.pool_stream[b]
            if stream not in rows.columns:
                continue
            sel = rows
            if inst.pool_county[b] >= 0:
                sel = sel[sel["county"] == inst.county_names[inst.pool_county[b]]]
            for pid, money in zip(sel["project_id"], sel[stream].astype(float)):
                if money > 0:
                    out.add(self.key.get(pid, ("other",)), pid, float(money))
        return out


def spending_line(ctx: Ctx, b: int, s: Spending) -> str:
    """Evidence: one pool's money of one year, by group, each work once."""
    (year,) = s.years
    left = float(ctx.free[b, year - ctx.first])
    parts = [f"{fmt_short(g.money)} on {_group_text(key, ctx.first)} ({few(g.works, 6)})"
             for key, g in s.ordered()]
    return (f"{ctx.pool_name(b)} in {year}: {fmt_short(s.spent)} spent, "
            f"{fmt_short(left)} left: " + "; ".join(parts))


def spending_clause(s: Spending, first: int) -> str:
    """For the answer: where the money went, by kind (hard deadlines, exit batches,
    the rest), each with its amount and unit."""
    kinds: dict[str, float] = {}
    targets: list[str] = []
    batches: list[int] = []
    for key, g in s.ordered():
        kinds[key[0]] = kinds.get(key[0], 0.0) + g.money
        if key[0] == "deadline":
            for name in key[1]:
                target = name.split(" by ")[0]
                if target not in targets:
                    targets.append(target)
        elif key[0] == "exit":
            batches.append(key[1])
    parts = []
    if "deadline" in kinds:
        parts.append(f"{money(kinds['deadline'])} on works hard deadlines need "
                     f"({', '.join(targets)})")
    if "exit" in kinds:
        parts.append(f"{money(kinds['exit'])} on works making villages of "
                     f"{batches_text(batches, first)} exit on time")
    if "other" in kinds:
        parts.append(f"{money(kinds['other'])} on other works")
    return ", ".join(parts) if parts else "nothing"
