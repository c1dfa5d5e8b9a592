"""The checker's own reading of the scenario folder.

The checker shares the file readers with the planner (`planner.tables.read_table`
turns cells into their schema types, with the schema's column defaults such as
`duration` 1, `self_share` 0, `carry_over` true, `targets` `*`) but not the
semantics: it reads `scenario.yaml` itself (following `base:`), applies the
documented defaults itself (years, objective, exit standard, weights, deadline
scope/share/soft, a project's start window, even cost profile and department, with
each department's one name: planner.departments' table, a naming shared like the
schema's, with scenario.yaml's `departments:`)
and the overrides itself (`overrides.deadlines` replaces, `overrides.weights` is
merged, `overrides.exclude` drops villages and counties, `lock`/`overrides.lock`
and `locked.csv` lock projects in or out).

What it takes from the loaded `Scenario`, and why that is input, not semantics:

* `funds` (every money row: amounts, carry-over, targets, leverage, ...): the
  money the run was given.  `planner sweep` scales the amounts and `planner
  replan --actual-funds` replaces them in memory, and `overrides.funds` (scale,
  set, move) is such an edit of the amounts too: the plan is checked against the
  money the run planned with, which the files alone do not hold.  An excluded
  county's money must be gone from it (checked).
* a project's `cost` and the narrowing of its start window: `planner replan`
  puts the real cost of an executed work and pins or shifts start years in
  memory.  The window used is the intersection of the files' (with the
  checker's own defaults) and the Scenario's, so it is never wider than the
  files say.  Projects the Scenario dropped (replan: they can no longer start)
  are not in the checker's library; a project the files do not hold is an error.
* `lock_in` / `lock_out`: added to the checker's own locks, not replacing them
  (replan locks the executed works in; a work the files lock out but the run
  locks in because it was executed counts as locked in).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .. import departments
from ..errors import InputError, Problems
from ..schema import TARGETS
from ..tables import find_table, parse_bool, read_table

YAML = "scenario.yaml"
TABLES = ("villages", "gaps", "projects", "funds")
#: README, "Scenario format" and "The objective"
DEFAULT_YEARS = (2018, 2019, 2020)
DEFAULT_OBJECTIVE = "max_coverage"
DEFAULT_EXIT_STANDARD = ("water", "power", "road", "broadband", "housing", "environment",
                         "education", "health", "social_security", "culture")
DEFAULT_WEIGHTS = {"target_weight": 1.0, "late_factor": 0.5, "on_time_bonus": 3.0,
                   "soft_deadline_penalty": 2.0}
DEFAULT_GAP = 0.001  # the requested relative gap when summary.json names none


@dataclass(frozen=True)
class Deadline:
    target: str
    year: int
    scope: str | tuple  # all | deep_poverty | counties
    share: float
    soft: bool

    def label(self) -> str:
        scope = self.scope if isinstance(self.scope, str) else "+".join(self.scope)
        return f"{self.target}@{self.year}[{scope}]>={self.share:g}"


@dataclass
class Inputs:
    name: str
    years: list
    objective: str
    exit_standard: tuple
    deadlines: list
    weights: dict  # target_weight, late_factor, on_time_bonus, soft_deadline_penalty
    target_weights: dict  # code -> weight (weights.<code> or weights.targets.<code>)
    partial_credit: bool
    fairness: dict
    reserve: list
    exit_priority: tuple  # (rule, batch labels in the order served, deep_poverty_first)
    lock_in: frozenset
    lock_out: frozenset
    catalogue: dict  # code -> (name_zh, department)
    solver: dict
    villages: pd.DataFrame
    gaps: pd.DataFrame
    projects: pd.DataFrame
    funds: pd.DataFrame
    files: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # where the Scenario is not the files

    def weight_of(self, code: str) -> float:
        return float(self.target_weights.get(code, self.weights["target_weight"]))

    def file_hashes(self) -> dict:
        return {str(p): hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in self.files
                if Path(p).is_file()}


def read_config(folder: Path, chain=()) -> tuple[dict, dict, list]:
    """(merged config, folder of each table, yaml files) following `base:`: the base's
    keys are inherited (not its overrides), `weights` merged, a table of the variant's
    own folder replaces the base's."""
    path = folder / YAML
    cfg, files = {}, []
    if path.is_file():
        cfg = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
        files.append(path)
    base = cfg.get("base")
    if not isinstance(base, str) or folder.resolve() in chain:
        return cfg, {t: folder for t in TABLES}, files
    bcfg, btables, bfiles = read_config((folder / base).resolve(), chain + (folder.resolve(),))
    merged = {k: v for k, v in bcfg.items() if k not in ("overrides", "base")}
    for key, value in cfg.items():
        if key == "weights" and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        elif key != "base":
            merged[key] = value
    tables = {t: folder if find_table(folder, t) else btables[t] for t in TABLES}
    return merged, tables, bfiles + files


def _ids(raw) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, (str, int)) and not isinstance(raw, bool):
        raw = [raw]
    return [str(x) for x in raw] if isinstance(raw, list) else []


def _weights(given) -> tuple[dict, dict]:
    weights, per_target = dict(DEFAULT_WEIGHTS), {}
    for key, value in (given or {}).items():
        if key == "targets" and isinstance(value, dict):
            per_target.update({str(c): float(w) for c, w in value.items()})
        elif key in DEFAULT_WEIGHTS:
            weights[key] = float(value)
        else:
            per_target[str(key)] = float(value)
    return weights, per_target


def _deadlines(raw, counties: set) -> list[Deadline]:
    out = []
    for item in raw or []:
        scope = item.get("scope", "all")
        if isinstance(scope, str) and scope not in ("all", "deep_poverty") and scope in counties:
            scope = [scope]
        if isinstance(scope, list):
            scope = tuple(str(c) for c in scope)
        soft = item.get("soft", False)
        if not isinstance(soft, bool):
            soft = bool(parse_bool(str(soft)))
        out.append(Deadline(str(item["target"]), int(item["year"]), scope,
                            float(item.get("share", 1.0)), soft))
    return out


def _catalogue(extra) -> dict:
    cat = {code: (t.name_zh, t.department) for code, t in TARGETS.items()}
    for code, info in (extra or {}).items():
        info = info if isinstance(info, dict) else {}
        cat[str(code)] = (str(info.get("name", code)), str(info.get("department", "")))
    return cat


def _table(folder: Path, name: str, required=True):
    problems = Problems()
    frame = read_table(folder, name, problems, required=required)
    if problems.items:
        raise InputError(problems.items)
    return frame


def _projects(raw: pd.DataFrame, scn_projects: pd.DataFrame, years, catalogue,
              problems: list, dept_names: dict) -> pd.DataFrame:
    """The files' projects with the documented defaults; cost and the narrowing of the
    start window from the Scenario (see the module docstring)."""
    first, last = int(years[0]), int(years[-1])
    p = raw.drop(columns="_row").copy()
    p["earliest_year"] = [first if y is None or pd.isna(y) else int(y) for y in p["earliest_year"]]
    p["latest_year"] = [last if y is None or pd.isna(y) else int(y) for y in p["latest_year"]]
    p["cost_profile"] = [tuple(prof) if prof is not None else tuple([1.0 / d] * d)
                         for prof, d in zip(p["cost_profile"], p["duration"])]
    named: dict[tuple, str] = {}  # each distinct (department, target) named once
    p["department"] = [named[k] if k in named else named.setdefault(k, departments.canonical(
        k[0] if k[0] else catalogue.get(k[1], ("", ""))[1], dept_names))
        for k in zip(p["department"], p["target"])]
    given = scn_projects.set_index("project_id")
    unknown = sorted(set(given.index) - set(p["project_id"]))
    for pid in unknown[:10]:
        problems.append(f"project {pid} of the loaded scenario is not in projects.csv")
    p = p[p["project_id"].isin(given.index)].reset_index(drop=True)
    g = given.loc[p["project_id"]]
    p["cost"] = g["cost"].astype(float).to_numpy()
    p["earliest_year"] = np.maximum(p["earliest_year"].to_numpy(dtype=np.int64),
                                    g["earliest_year"].to_numpy(dtype=np.int64))
    p["latest_year"] = np.minimum(p["latest_year"].to_numpy(dtype=np.int64),
                                  g["latest_year"].to_numpy(dtype=np.int64))
    return p


def read_inputs(scn) -> Inputs:
    """The checker's reading of `scn.folder` (see the module docstring)."""
    folder = Path(scn.folder)
    cfg, tables, files = read_config(folder)
    overrides = cfg.get("overrides") or {}
    if "deadlines" in overrides:
        cfg["deadlines"] = overrides["deadlines"]
    weights_given = dict(cfg.get("weights") or {})
    weights_given.update(overrides.get("weights") or {})
    weights, per_target = _weights(weights_given)
    years = list(cfg.get("years", DEFAULT_YEARS))
    catalogue = _catalogue(cfg.get("targets"))
    problems: list[str] = []

    raw = {t: _table(tables[t], t) for t in ("villages", "gaps", "projects")}
    files += [find_table(tables[t], t) for t in TABLES]
    exclude = overrides.get("exclude") or {}
    ex_v, ex_c = set(_ids(exclude.get("villages"))), set(_ids(exclude.get("counties")))
    v = raw["villages"].drop(columns="_row")
    counties = set(v["county"])
    drop = set(v.loc[v["village_id"].isin(ex_v) | v["county"].isin(ex_c), "village_id"])
    v = v[~v["village_id"].isin(drop)].reset_index(drop=True)
    v["relocated"] = v["relocated"].map(lambda x: bool(x) if x is not None and not pd.isna(x)
                                        else False)
    g = raw["gaps"].drop(columns="_row")
    g = g[~g["village_id"].isin(drop)].reset_index(drop=True)
    raw_p = raw["projects"][~raw["projects"]["village_id"].isin(drop)]
    extra = cfg.get("departments")
    dept_names = departments.names(extra if isinstance(extra, dict) else None)
    projects = _projects(raw_p, scn.projects, years, catalogue, problems, dept_names)

    if set(v["village_id"]) != set(scn.villages["village_id"].astype(str)):
        diff = set(v["village_id"]) ^ set(scn.villages["village_id"].astype(str))
        problems.append(f"the loaded scenario's villages differ from villages.csv with "
                        f"overrides.exclude applied: {', '.join(sorted(diff)[:10])}")
    mine = set(zip(g["village_id"], g["target"]))
    theirs = set(zip(scn.gaps["village_id"].astype(str), scn.gaps["target"].astype(str)))
    if mine != theirs:
        diff = sorted(mine ^ theirs)[:10]
        problems.append("the loaded scenario's gaps differ from gaps.csv with "
                        f"overrides.exclude applied: {', '.join(map(str, diff))}")
    funds = scn.funds
    if ex_c & set(funds["county"]):
        problems.append(f"money of excluded counties is still in the scenario: "
                        f"{', '.join(sorted(ex_c & set(funds['county'])))}")

    lock = {"in": set(), "out": set()}
    for where in (cfg.get("lock"), overrides.get("lock")):
        for key in ("in", "out"):
            lock[key] |= set(_ids((where or {}).get(key)))
    locked = read_table(folder, "locked", Problems(), required=False)
    if locked is not None:
        files.append(Path(locked.attrs["path"]))
        word = locked["lock"].astype(str).str.strip().str.lower()
        lock["in"] |= set(locked.loc[word == "in", "project_id"])
        lock["out"] |= set(locked.loc[word == "out", "project_id"])
    lock_in = lock["in"] | set(scn.lock_in)
    lock_out = (lock["out"] | set(scn.lock_out)) - set(scn.lock_in)

    fair = {k: (float(x) if k != "maximin" else bool(x))
            for k, x in (cfg.get("fairness") or {}).items()}
    reserve = [{"stream": str(r["stream"]), "share": float(r["share"])}
               for r in (cfg.get("reserve") or [])]
    inp = Inputs(
        exit_priority=_exit_priority(cfg, [int(y) for y in years]),
        name=str(cfg.get("name") or folder.resolve().name),
        years=[int(y) for y in years],
        objective=str(cfg.get("objective", DEFAULT_OBJECTIVE)),
        exit_standard=tuple(cfg.get("exit_standard", DEFAULT_EXIT_STANDARD)),
        deadlines=_deadlines(cfg.get("deadlines"), counties),
        weights=weights, target_weights=per_target,
        partial_credit=bool(cfg.get("partial_credit", False)),
        fairness=fair, reserve=reserve,
        lock_in=frozenset(lock_in), lock_out=frozenset(lock_out),
        catalogue=catalogue, solver=dict(cfg.get("solver") or {}),
        villages=v, gaps=g, projects=projects, funds=funds,
        files=[Path(f) for f in files if f is not None], problems=problems,
    )
    inp.problems += settings_differ(inp, scn)
    return inp


def _exit_priority(cfg: dict, years: list[int]) -> tuple:
    """(rule, labels, deep first): exit_priority as the README gives it: lexicographic unless
    `weighted` or `none`; a list names the first batches (the rest follow, the years of
    the horizon, then `exited`); `deep_poverty_first` puts a "<batch> deep poverty"
    batch before each."""
    raw = cfg.get("exit_priority")
    deep = bool(cfg.get("deep_poverty_first"))
    if raw in ("weighted", "none"):
        return raw, (), deep
    default = [str(y) for y in years] + ["exited"]
    named = [str(x) for x in raw] if isinstance(raw, list) else []
    order = named + [b for b in default if b not in named]
    if deep:
        order = [x for b in order for x in (f"{b} deep poverty", b)]
    return "lexicographic", tuple(order), deep


def settings_differ(inp: Inputs, scn) -> list[str]:
    """Where the loaded Scenario's settings are not the checker's reading of
    scenario.yaml: a loader that misreads the file, or a caller that changed the
    Scenario in memory (the checker checks against the files, so such a caller must
    write its scenario out)."""
    def deadline(d):
        scope = d.scope if isinstance(d.scope, str) else tuple(d.scope)
        return (str(d.target), int(d.year), scope, float(d.share), bool(d.soft))

    weights = getattr(scn, "weights", None) or {}
    theirs = {
        "years": [int(y) for y in getattr(scn, "years", inp.years)],
        "objective": getattr(scn, "objective", inp.objective),
        "exit_standard": sorted(getattr(scn, "exit_standard", inp.exit_standard)),
        "deadlines": [deadline(d) for d in getattr(scn, "deadlines", inp.deadlines)],
        "weights": ({k: float(weights[k]) for k in DEFAULT_WEIGHTS if k in weights},
                    {k: float(w) for k, w in (weights.get("targets") or {}).items()}),
        "partial_credit": bool(getattr(scn, "partial_credit", inp.partial_credit)),
        "fairness": dict(getattr(scn, "fairness", inp.fairness)),
        "reserve": [dict(r) for r in getattr(scn, "reserve", inp.reserve)],
    }
    mine = {
        "years": inp.years, "objective": inp.objective,
        "exit_standard": sorted(inp.exit_standard),
        "deadlines": [deadline(d) for d in inp.deadlines],
        "weights": ({k: inp.weights[k] for k in DEFAULT_WEIGHTS if k in weights},
                    dict(inp.target_weights)),
        "partial_credit": inp.partial_credit, "fairness": inp.fairness, "reserve": inp.reserve,
    }
    return [f"the loaded scenario's {key} ({theirs[key]!r}) is not what scenario.yaml "
            f"says ({mine[key]!r}); the checker checks the plan against the files"
            for key in mine if theirs[key] != mine[key]]


def is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
