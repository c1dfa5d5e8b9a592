"""A scenario folder: scenario.yaml (with `base` and `overrides`) and four tables.

`load_scenario(folder)` reads, applies overrides, validates every cross
reference and returns a `Scenario`: typed tables and settings, nothing solved.
Every problem is reported with file, row and column (`InputError`).

The parts: `yamlfile` (safe reading, the `base` chain, unknown keys), `settings`
(each scenario.yaml setting), `overrides` (changes of funds, exclusions), `checks`
(the tables against each other).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import Problems
from ..filecells import CONTROL
from ..schema import DEFAULT_EXIT_STANDARD, FILES
from ..tables import read_table
from .checks import (
    check_forced,
    fill_project_defaults,
    unit_warnings,
    validate_funds,
    validate_gaps,
    validate_projects,
    validate_villages,
)
from .overrides import apply_fund_overrides, check_exclude
from .settings import (
    OBJECTIVES,
    check_solver,
    deadlines_of,
    departments_of,
    exit_priority_of,
    fairness_of,
    lang_of,
    mapping_of_lists,
    reserve_of,
    targets_catalogue,
    weights_of,
    years_of,
)
from .uncertainty import uncertainty_of
from .yamlfile import YAML, locate_yaml, read_yaml

__all__ = ["Deadline", "Scenario", "load_scenario", "merge_overrides", "YAML"]


@dataclass(frozen=True)
class Deadline:
    target: str
    year: int
    scope: str | tuple[str, ...] = "all"  # all | deep_poverty | counties
    share: float = 1.0
    soft: bool = False

    def label(self) -> str:
        scope = self.scope if isinstance(self.scope, str) else "+".join(self.scope)
        return f"{self.target}@{self.year}[{scope}]>={self.share:g}"


@dataclass
class Scenario:
    name: str
    folder: Path
    years: list[int]
    objective: str
    exit_standard: tuple[str, ...]
    deadlines: list[Deadline]
    weights: dict
    solver: dict
    villages: pd.DataFrame
    gaps: pd.DataFrame
    projects: pd.DataFrame
    funds: pd.DataFrame
    targets: dict[str, dict]  # code -> {name_zh, department}
    lock_in: frozenset = frozenset()
    lock_out: frozenset = frozenset()
    input_files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    fairness: dict = field(default_factory=dict)  # max_spread, min_rate, maximin
    partial_credit: bool = False  # cumulative gaps valued pro rata of their progress
    # 退出优先: {"rule": lexicographic | weighted | none, "order": batch labels served first}
    exit_priority: dict = field(default_factory=lambda: {"rule": "weighted", "order": []})
    deep_poverty_first: bool = False  # within a batch, deep-poverty villages first
    reserve: list = field(default_factory=list)  # [{stream, share}] for deep-poverty villages
    lang: str = "en"  # the language of the plan tables written (planner.plan.lang)
    # department name -> its one name (planner.departments, with scenario.yaml's)
    departments: dict = field(default_factory=dict)
    # what money and costs may turn out to be (planner robust; None: not given)
    uncertainty: dict | None = None

    def target_weight(self, code: str) -> float:
        return float(self.weights["targets"].get(code, self.weights["target_weight"]))

    def input_hashes(self) -> dict[str, str]:
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in self.input_files}


def merge_overrides(config: dict, problems: Problems) -> dict:
    """Settle `overrides.deadlines` (replaces the list) and `overrides.weights` (merged
    into the weights) into `config`; returns the overrides (a mapping, {} when bad)."""
    overrides = config.get("overrides") or {}
    if not isinstance(overrides, dict):
        problems.add(YAML, "must be a mapping (funds, deadlines, weights, exclude, lock)",
                     column="overrides", value=overrides)
        return {}
    if "deadlines" in overrides:
        config["deadlines"] = overrides["deadlines"]
    if isinstance(overrides.get("weights"), dict):
        config["weights"] = {**(config.get("weights") or {}), **overrides["weights"]}
    elif overrides.get("weights") is not None:
        problems.add(YAML, "must be a mapping", column="overrides.weights",
                     value=overrides["weights"])
    return overrides


def load_scenario(folder: str | Path) -> Scenario:
    folder = Path(folder)
    problems = Problems()
    config, _, files = read_yaml(folder, problems)
    yaml_rows = config.pop("_yaml_rows", {})
    table_folders = config.pop("_table_folders", {t: folder for t in FILES})
    years = years_of(config, problems)
    objective = config.get("objective", "max_coverage")
    if objective not in OBJECTIVES:
        problems.add(YAML, f"must be one of {', '.join(OBJECTIVES)}", column="objective",
                     value=objective)
    name = config.get("name")
    if name is not None and (not isinstance(name, (str, int)) or isinstance(name, bool)
                             or CONTROL.search(str(name)) or len(str(name)) > 200):
        problems.add(YAML, "must be a short text without control characters", column="name",
                     value=name)
    catalogue = targets_catalogue(config, problems)
    codes = list(catalogue)
    lang = lang_of(config.get("lang"), problems)
    dept_names = departments_of(config.get("departments"), problems)
    locate_yaml(problems, yaml_rows)
    problems.raise_if_any()

    tables = {}
    for t in FILES:
        tables[t] = read_table(Path(table_folders[t]), t, problems)
    locate_yaml(problems, yaml_rows)
    problems.raise_if_any()
    for t in FILES:
        files.append(Path(tables[t].attrs["path"]))
    villages, gaps, projects, funds = (tables[t] for t in FILES)

    overrides = merge_overrides(config, problems)
    funds = apply_fund_overrides(funds, overrides.get("funds"), problems)

    village_ids = set(villages["village_id"])
    counties = set(villages["county"])
    streams = set(funds["stream"])
    validate_villages(villages, years, problems)
    validate_gaps(gaps, village_ids, codes, problems)
    gaps_set = set(zip(gaps["village_id"], gaps["target"]))
    validate_projects(projects, gaps_set, village_ids, streams, years, problems)
    validate_funds(funds, counties, codes, years, problems)
    weights = weights_of(config, problems, codes)
    deadlines = deadlines_of(config.get("deadlines"), years, codes, counties, problems, Deadline)

    exit_standard = config.get("exit_standard", list(DEFAULT_EXIT_STANDARD))
    if not isinstance(exit_standard, list) or any(
            not isinstance(t, str) or t not in codes for t in exit_standard):
        problems.add(YAML, f"must be a list of target codes from: {', '.join(codes)}",
                     column="exit_standard", value=exit_standard)
        exit_standard = list(DEFAULT_EXIT_STANDARD)

    exclude = mapping_of_lists(overrides.get("exclude"), "overrides.exclude",
                               ("villages", "counties"), problems)
    check_exclude(exclude, villages, problems)
    # locks count in either place (README): the union of the top level and the overrides
    top = mapping_of_lists(config.get("lock"), "lock", ("in", "out"), problems)
    over = mapping_of_lists(overrides.get("lock"), "overrides.lock", ("in", "out"), problems)
    lock_in = frozenset(top.get("in", [])) | frozenset(over.get("in", []))
    lock_out = frozenset(top.get("out", [])) | frozenset(over.get("out", []))
    locked = read_table(folder, "locked", problems, required=False)
    if locked is not None:  # locked.csv in the scenario's own folder: project_id, lock
        files.append(Path(locked.attrs["path"]))
        for r in locked.itertuples():
            word = str(r.lock).strip().lower()
            if word not in ("in", "out"):
                problems.add(locked.attrs["file"], "lock must be in or out", row=r._1,
                             column="lock", value=r.lock)
            elif r.project_id not in set(projects["project_id"]):
                problems.add(locked.attrs["file"], "unknown project_id; it is not in "
                             "projects.csv", row=r._1, column="project_id", value=r.project_id)
        lock_in |= set(locked.loc[locked["lock"].str.lower() == "in", "project_id"])
        lock_out |= set(locked.loc[locked["lock"].str.lower() == "out", "project_id"])
    project_ids = set(projects["project_id"])
    for pid in sorted((lock_in | lock_out) - project_ids):
        problems.add(YAML, "lock names an unknown project_id", column="lock", value=pid)
    for pid in sorted(lock_in & lock_out):
        problems.add(YAML, "a project cannot be locked both in and out", column="lock", value=pid)
    relocated = set(villages.loc[villages["relocated"].astype(bool), "village_id"])
    village_of = dict(zip(projects["project_id"], projects["village_id"]))
    for pid in sorted(p for p in lock_in if village_of.get(p) in relocated):
        problems.add(YAML, f"project {pid} is locked in, but its village {village_of[pid]} is "
                     "relocated (relocated villages get no works); remove the lock or the "
                     "relocated flag", column="lock", value=pid)
    solver = config.get("solver") or {}
    if not isinstance(solver, dict):
        problems.add(YAML, "must be a mapping (backend, time_limit, gap, threads, seed)",
                     column="solver", value=solver)
        solver = {}
    solver = dict(solver)
    setting_warnings = check_solver(solver, problems)
    fairness = fairness_of(config.get("fairness"), problems)
    partial_credit = config.get("partial_credit", False)
    if not isinstance(partial_credit, bool):
        problems.add(YAML, "must be true or false", column="partial_credit",
                     value=partial_credit)
        partial_credit = False
    reserve = reserve_of(config.get("reserve"), set(funds["stream"]), problems)
    exit_priority = exit_priority_of(config.get("exit_priority"), years, problems)
    uncertainty = uncertainty_of(config.get("uncertainty"), years, funds, projects, problems)
    deep_first = config.get("deep_poverty_first", False)
    if not isinstance(deep_first, bool):
        problems.add(YAML, "must be true or false", column="deep_poverty_first",
                     value=deep_first)
        deep_first = False
    locate_yaml(problems, yaml_rows)
    problems.raise_if_any()

    ex_v = set(exclude.get("villages", []))
    ex_c = set(exclude.get("counties", []))
    if ex_v or ex_c:
        drop = set(villages.loc[villages["village_id"].isin(ex_v) |
                                villages["county"].isin(ex_c), "village_id"])
        villages = villages[~villages["village_id"].isin(drop)]
        gaps = gaps[~gaps["village_id"].isin(drop)]
        projects = projects[~projects["village_id"].isin(drop)]
        funds = funds[~funds["county"].isin(ex_c)]  # an excluded county's own money goes too

    projects = fill_project_defaults(projects, years, catalogue, dept_names)
    warnings = [w for t in FILES for w in tables[t].attrs.get("warnings", [])]
    warnings += unit_warnings(projects, funds) + setting_warnings
    scn = Scenario(
        name=str(name or folder.resolve().name),
        folder=folder,
        years=years,
        objective=objective,
        exit_standard=tuple(exit_standard),
        deadlines=deadlines,
        weights=weights,
        solver=solver,
        fairness=fairness,
        partial_credit=partial_credit,
        exit_priority=exit_priority,
        deep_poverty_first=deep_first,
        reserve=reserve,
        lang=lang,
        departments=dept_names,
        uncertainty=uncertainty,
        villages=villages.reset_index(drop=True),
        gaps=gaps.reset_index(drop=True),
        projects=projects.reset_index(drop=True),
        funds=funds.reset_index(drop=True),
        targets=catalogue,
        lock_in=lock_in,
        lock_out=lock_out,
        input_files=files,
        warnings=warnings,
    )
    check_forced(scn, problems)
    locate_yaml(problems, yaml_rows)
    problems.raise_if_any()
    return scn
