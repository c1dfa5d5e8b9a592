"""The Python API: scenarios, plans, their statistics and the what-if commands, for a
notebook or a script (README, "Use from Python").

Everything goes through the path the command line takes: a scenario made or edited in
memory is written out as a scenario folder and read by the one loader
(`planner.scenario.frames`), so its cells meet the files' checks and the independent
checker can read it; `plan` is `planner.pipeline.plan_scenario`; the statistics are
the report's tables (`planner.outputs.report_data`); `compare`, `sweep` and `needs`
are the commands' own functions.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pandas as pd

from .errors import InputError
from .scenario import Scenario as LoadedScenario, load_scenario as load_folder
from .scenario.frames import frame_error, settings_of, write_scenario

if TYPE_CHECKING:
    from models.params import SolveParams

    from .check import Violation

TABLES = ("villages", "gaps", "projects", "funds")
__all__ = ["Comparison", "Plan", "Scenario", "Stats", "compare", "load_scenario", "needs",
           "plan", "priority", "read_plan", "sweep"]


def _scratch(owner, prefix: str) -> Path:
    """A temporary folder removed when `owner` is garbage-collected (or at exit)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    weakref.finalize(owner, shutil.rmtree, path, True)
    return path


def _read(tables: dict, settings: dict) -> LoadedScenario:
    """Tables and settings written as a scenario folder and loaded from it; the folder
    lives as long as the loaded scenario (the checker reads it)."""
    folder = Path(tempfile.mkdtemp(prefix="planner-scenario-"))
    try:
        loaded = load_folder(write_scenario(folder, tables, settings))
    except InputError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise frame_error(exc, tables) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    weakref.finalize(loaded, shutil.rmtree, folder, True)
    return loaded


class Scenario:
    """A scenario: four tables (`villages`, `gaps`, `projects`, `funds`, DataFrames with
    the columns of the contract) and `settings` (scenario.yaml's keys).

    The tables and settings may be edited in place; the next `plan` (or `check`,
    `with_overrides`, ...) checks them again as files are checked, and a broken rule is
    an `InputError` naming the table, the row (the frame's index label) and the column."""

    def __init__(self, loaded: LoadedScenario, settings: dict | None = None):
        self._use(loaded, settings if settings is not None else settings_of(loaded))

    def _use(self, loaded: LoadedScenario, settings: dict) -> None:
        self._loaded = loaded
        for name in TABLES:
            frame = getattr(loaded, name).drop(columns="_row").reset_index(drop=True)
            frame.attrs = {}
            setattr(self, name, frame)
        self.settings = settings
        self._seen = self._snapshot()

    def _snapshot(self):
        return ({n: getattr(self, n).copy(deep=True) for n in TABLES},
                copy.deepcopy(self.settings))

    def _edited(self) -> bool:
        tables, settings = self._seen
        return settings != self.settings or any(
            not isinstance(getattr(self, n), pd.DataFrame) or not getattr(self, n).equals(t)
            for n, t in tables.items())

    @classmethod
    def from_frames(cls, *, villages: pd.DataFrame, gaps: pd.DataFrame,
                    projects: pd.DataFrame, funds: pd.DataFrame,
                    settings: dict | None = None) -> Scenario:
        """A scenario from tables in memory, checked cell by cell as the files are."""
        tables = {"villages": villages, "gaps": gaps, "projects": projects, "funds": funds}
        return cls._made(tables, {"name": "scenario", **(settings or {})})

    @classmethod
    def _made(cls, tables: dict, settings: dict) -> Scenario:
        return cls(_read(tables, settings))

    def loaded(self) -> LoadedScenario:
        """The scenario as the planner reads it (planner.scenario.Scenario), re-read from
        the tables and settings when they were edited."""
        if self._edited():
            tables = {n: getattr(self, n) for n in TABLES}
            self._loaded = _read(tables, self.settings)
            self._seen = self._snapshot()
        return self._loaded

    def with_overrides(self, overrides: dict | None = None, /, **changes) -> Scenario:
        """A what-if variant: scenario.yaml's `overrides` (funds, deadlines, weights,
        exclude, lock) applied to this scenario, e.g.
        `scn.with_overrides(funds=[{"stream": "lottery", "scale": 0.8}])`."""
        given = {**(overrides or {}), **changes}
        self.loaded()  # this scenario's own edits are checked first, under its own names
        tables = {n: getattr(self, n) for n in TABLES}
        return type(self)._made(tables, {**self.settings, "overrides": given})

    def write(self, folder: str | Path) -> Path:
        """The scenario as a scenario folder (scenario.yaml and four CSV files) that the
        command line reads: `planner solve FOLDER`."""
        self.loaded()
        tables = {n: getattr(self, n) for n in TABLES}
        return write_scenario(Path(folder), tables, self.settings)

    @property
    def name(self) -> str:
        return self.loaded().name

    @property
    def years(self) -> list[int]:
        return list(self.loaded().years)

    @property
    def warnings(self) -> list[str]:
        return list(self.loaded().warnings)

    def __repr__(self) -> str:
        return (f"Scenario({self._loaded.name!r}: {len(self.villages)} villages, "
                f"{len(self.gaps)} gaps, {len(self.projects)} projects, "
                f"{len(self.funds)} fund rows, years {self._loaded.years[0]}-"
                f"{self._loaded.years[-1]})")


def load_scenario(path: str | Path) -> Scenario:
    """A scenario folder (scenario.yaml with `base`/`overrides`, four tables), checked."""
    return Scenario(load_folder(Path(path)))


def _scenario(scenario) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


class Stats:
    """A plan's statistics: the tables of report.html as DataFrames (numbers as numbers,
    money in the scenario's unit); the report's totals row is left out."""

    def __init__(self, plan: Plan):
        from .outputs.data import read_plan as read_files
        from .outputs.report_data import report_data

        self._data = report_data(read_files(plan.files()))

    @staticmethod
    def _frame(rows, columns, money=(), ints=()) -> pd.DataFrame:
        frame = pd.DataFrame([list(r) for r in rows], columns=columns)
        for c in money:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
        for c in ints:
            frame[c] = pd.to_numeric(frame[c], errors="coerce")
        return frame

    def by_county(self) -> pd.DataFrame:
        """Per county: villages, planned (not relocated), on time, gaps, gaps closed, cost."""
        t = self._data["counties"]
        frame = self._frame([r[:4] + r[5:] for r in t["rows"]],
                            ["county", "villages", "planned", "on_time", "gaps",
                             "gaps_closed", "cost"], money=["cost"])
        frame.insert(4, "on_time_share", frame["on_time"] / frame["planned"].where(
            frame["planned"] > 0))
        return frame

    def by_department(self, tasks: bool = False) -> pd.DataFrame:
        """Per department (任务分解): works and money; `tasks=True`: its works, year by
        year (year, county, village, target, project_id, cost)."""
        depts = self._data["departments"] or []
        if not tasks:
            return self._frame([[d["name"], d["works"], d["money"]] for d in depts],
                               ["department", "works", "cost"], money=["cost"])
        rows = [[d["name"], *r] for d in depts for r in d["rows"]]
        return self._frame(rows, ["department", "year", "county", "village", "target",
                                  "project_id", "cost"], money=["cost"], ints=["year"])

    def by_stream_year(self) -> pd.DataFrame:
        """Per stream, year and county (全部 (pooled) for pooled money): budget, carried
        in, spent, carried out, unused."""
        money = ["budget", "carried_in", "spent", "carried_out", "unused"]
        t = self._data["funds"]
        return self._frame(t["rows"] if t else [], ["stream", "year", "county", *money],
                           money=money, ints=["year"])

    def by_batch(self) -> pd.DataFrame:
        """Per exit batch: villages due, possibly on time (models.possible), on time."""
        rows = [r[:4] for r in self._data["batches"]["rows"]]
        frame = self._frame(rows, ["batch", "due", "possible", "on_time"],
                            ints=["due", "possible", "on_time"])
        frame["on_time_share"] = frame["on_time"] / frame["due"].where(frame["due"] > 0)
        return frame


class Plan:
    """A plan: `schedule`, `villages`, `funds` (DataFrames, the columns of the CSV files)
    and `summary` (summary.json as a dict)."""

    def __init__(self, schedule: pd.DataFrame, villages: pd.DataFrame, funds: pd.DataFrame,
                 summary: dict, scenario: Scenario | None = None,
                 folder: Path | None = None, made_from: LoadedScenario | None = None):
        self.schedule, self.villages, self.funds, self.summary = \
            schedule, villages, funds, summary
        self.scenario = scenario
        self._made_from = made_from  # the scenario as it was planned (edits since aside)
        self.folder = folder  # where it was written or read from
        self._files: Path | None = None
        self._stats: Stats | None = None

    def _tables(self):
        from .plan import Plan as Tables

        return Tables(self.schedule, self.villages, self.funds, self.summary)

    def _loaded(self, scenario) -> LoadedScenario:
        if scenario is None and self._made_from is not None:
            return self._made_from
        scenario = scenario if scenario is not None else self.scenario
        if scenario is None:
            raise ValueError("this plan was read without its scenario: give it, "
                             "read_plan(folder, scenario=...) or plan.check(scenario)")
        return _scenario(scenario).loaded()

    def files(self) -> Path:
        """A folder holding this plan's files as the planner writes them (its own folder
        when it was written or read, else a temporary one)."""
        if self.folder is not None:
            return self.folder
        if self._files is None:
            from .plan import write_plan

            self._files = _scratch(self, "planner-plan-")
            write_plan(self._tables(), self._files)
        return self._files

    def check(self, scenario: Scenario | str | Path | None = None) -> list[Violation]:
        """The independent checker (planner/check/) on the plan's tables as written:
        every rule they break; an empty list accepts the plan."""
        from .plan import write_plan
        from .verify import verify_plan

        loaded = self._loaded(scenario)
        with tempfile.TemporaryDirectory(prefix="planner-check-") as folder:
            write_plan(self._tables(), Path(folder))
            return verify_plan(loaded, Path(folder))

    def write(self, folder: str | Path, *, fmt: str = "csv", lang: str = "en",
              scenario: Scenario | str | Path | None = None) -> Path:
        """Write the plan folder as `planner solve --out` does: checked first (a plan
        that fails the check raises VerificationError and is not written)."""
        from .pipeline import write_verified

        folder = Path(folder)
        write_verified(self._loaded(scenario), self._tables(), folder, fmt=fmt, lang=lang,
                       command="planner (Python API)")
        self.folder = folder
        return folder

    @property
    def stats(self) -> Stats:
        if self._stats is None:
            self._stats = Stats(self)
        return self._stats

    def __repr__(self) -> str:
        s = self.summary
        return (f"Plan({s.get('scenario')!r}: {s.get('status')}, value {s.get('objective')}, "
                f"{s.get('gaps_closed')} gaps closed, cost {s.get('total_cost')})")


def plan(scenario: Scenario | str | Path, *, params: SolveParams | None = None,
         verbose: bool = False, **settings) -> Plan:
    """Plan a scenario (or a scenario folder).  `settings`: the fields of
    models.params.SolveParams (backend, time_limit, gap, threads, seed, decompose,
    scheduler, extras), over scenario.yaml's `solver:`; or `params` as they are."""
    from .pipeline import plan_scenario

    scn = _scenario(scenario)
    loaded = scn.loaded()
    p = plan_scenario(loaded, None, params=params, verbose=verbose, **settings).plan
    return Plan(p.schedule, p.villages, p.funds, p.summary, scenario=scn, made_from=loaded)


def read_plan(folder: str | Path, scenario: Scenario | str | Path | None = None) -> Plan:
    """A plan folder written by `planner solve` or `Plan.write` (UTF-8 or GBK, ids as
    text); `scenario`: its scenario, for `check` and `write`."""
    from .plan import read_plan as read_folder

    folder = Path(folder)
    t = read_folder(folder)
    return Plan(t.schedule, t.villages, t.funds, t.summary,
                scenario=None if scenario is None else _scenario(scenario), folder=folder)


class Comparison(NamedTuple):
    table: pd.DataFrame  # one row per metric, one column per plan (compare.csv)
    changes: pd.DataFrame  # what changed against the first plan (compare_changes.csv)


def compare(plans: list, names: list[str] | None = None) -> Comparison:
    """Plans (Plan objects or plan folders) side by side, as `planner compare`."""
    from .compare import compare as side_by_side, load_plan

    loaded = []
    for i, p in enumerate(plans):
        folder = p.files() if isinstance(p, Plan) else Path(p)
        loaded.append(load_plan(folder, names[i] if names else None))
    return Comparison(*side_by_side(loaded))


def sweep(scenario: Scenario | str | Path, scales, *, stream: str | None = None,
          on_result=None, **settings) -> pd.DataFrame:
    """The budget-coverage curve as `planner sweep`: one verified solve per scale (a
    list, or "0.5:1.5:0.1"), as Dask tasks; a row per scale (sweep.csv's columns)."""
    from .options import parse_range
    from .sweep import run_sweep

    scales = parse_range(scales) if isinstance(scales, str) else [float(s) for s in scales]
    folder = _scenario(scenario).loaded().folder
    scheduler = settings.pop("scheduler", None)
    return run_sweep(folder, scales, stream=stream, scheduler=scheduler,
                     on_result=on_result, **settings)


def priority(scenario: Scenario | str | Path, out: str | Path, *, levels="auto",
             sample=None, direction: str = "down", **settings
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ranked list as `planner priority`, written to `out` (every plan verified):
    (priority.csv, priority_levels.csv) as DataFrames; `levels` "auto", a list of
    scales or "0.6:1:0.1"."""
    from .options import parse_range
    from .priority_list import priority as rank

    if isinstance(levels, str) and levels != "auto":
        levels = parse_range(levels)
    res = rank(_scenario(scenario).loaded().folder, Path(out), levels, sample=sample,
               direction=direction, **settings)
    return res.table, res.levels


def needs(scenario: Scenario | str | Path, **settings) -> pd.DataFrame:
    """The least money as `planner needs`: a row per stream, county and year (budget,
    funding_gap, needed, marginal_value); `.attrs["summary"]` is needs.json."""
    from .needs import needs as least_money

    table, summary = least_money(_scenario(scenario).loaded(), **settings)
    table.attrs["summary"] = summary
    return table
