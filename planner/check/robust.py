"""`planner robust`'s tables against the scenario and the re-plans written beside them.

`check_robust_folder(scn, folder)` recomputes what `planner robust` writes into DIR
from `scn` (the scenario it was run on: its files, read by the checker's own reading,
planner.check.inputs) and the files of DIR alone.  Every re-plan (a sample's later
years from a first year) is a plan folder beside its own scenario folder, verified on
its own by `verify_plan` (before it is written, and again by `planner check SCENARIO
DIR`): samples/NNN/{scenario,plan} (the robust first year), samples/NNN/deterministic/
and evaluation/NNN/{robust,deterministic}/ (replan_folder).  Here:

  uncertainty      summary.json's `uncertainty` is scenario.yaml's, read here
  draws            samples.csv and evaluation.csv are samples 001..N of seed streams 0
                   and 1 (summary.json's counts), and each money factor and overrun is
                   the one re-drawn from the seed (planner.check.robust_stats)
  sample_scenario  (planner.check.robust_scenario) each re-plan's scenario is the
                   scenario with that sample's draw: each funds.csv amount the
                   scenario's x its factor, each cost the scenario's x (1 + its target's
                   overrun), the first year's works at their cost; its first year
                   decided (its works locked in, their window that year; every other
                   work's window from the second year or locked out); no uncertainty,
                   the weighted rule for a lexicographic one
  first_year       non-anticipativity: every re-plan of the robust first year starts
                   the works of first_year_starts.csv in the first year and no other,
                   every re-plan of the deterministic one those of
                   deterministic/first_year_starts.csv; each row of first_year.csv is
                   sample 001's (labels, years, the first year's money), its work_cost
                   the scenario's cost, on_expected_money the deterministic first year's
  samples          each robust and deterministic value and status of samples.csv and
                   evaluation.csv is its re-plan's (summary.json objective, status; no
                   value without a plan folder), `plan` its folder, samples/ and
                   evaluation/ hold those samples only
  evaluation       difference = robust - deterministic, evpi = wait_and_see - robust; a
                   value only with a status that has a plan; a wait-and-see proven
                   optimal is not below a re-plan of the same sample (those are plans of
                   its program too) by more than the requested gap
  summary          (planner.check.robust_summary) every figure re-computed from the
                   rows: the first year (works, cost, shared with and apart from the
                   expected-money plan's), expected value and its spread (mean, sd, min,
                   max, p10, p90, CVaR at alpha), VSS and EVPI (mean of the paired
                   differences, sd, se, 95 % t-interval, n, both means) out of sample and
                   in sample, no_plan and proven counts, the sample counts and seed
                   streams, hedging's iteration-0 wait-and-see values, decision.candidate

Not recomputed, because what they describe is not written: the wait-and-see values
(the sample's program solved with the first year free: no plan folder is kept; only
the relations above hold them), which works the plan on expected money starts
(deterministic/first_year_starts.csv: its plan is not written; every deterministic
re-plan follows it), `decision` (the solve of the sample-average program or of
progressive hedging), seconds and time_limit.
"""
from __future__ import annotations

import json
from pathlib import Path

import yaml

from ..errors import InputError
from .files import read_schedule, read_summary, read_table
from .inputs import read_config, read_inputs
from .report import ONE_UNIT, TOL, Report, Violation
from .robust_scenario import check_sample_scenario
from .robust_stats import (
    FRESH,
    SOLVE,
    column_names,
    read_uncertainty,
    redraw,
)
from .robust_summary import WHAT, cell_number, check_summary, close

COMMAND = "planner robust"
STARTS = "first_year_starts.csv"
FIRST_YEAR = ("project_id", "county", "township", "village_id", "village_name", "exit_year",
              "target", "target_name", "department", "start_year", "finish_year", "work_cost",
              "work_pooled_cost", "cost", "pooled_cost", "self_funded", "on_expected_money")
#: statuses a value may be given with; without a value none of the first two
WITH_PLAN, HAS_PLAN = ("optimal", "feasible", "time_limit"), ("optimal", "feasible")


def is_robust_folder(folder: Path) -> bool:
    """`folder` holds what `planner robust` writes (summary.json says so)."""
    try:
        data = json.loads((Path(folder) / "summary.json").read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("command") == COMMAND


def _starts(path: Path, year: int, rep: Report) -> set | None:
    frame = read_table(path.parent, path.name, ("project_id", "start_year"), rep)
    if frame is None:
        return None
    wrong = frame[frame["start_year"] != str(year)]
    for r in wrong.head(5).itertuples():
        rep.add("first_year", f"{path.name}: {r.project_id} starts in {r.start_year!r}, "
                              f"not the first year {year}")
    if frame["project_id"].duplicated().any():
        rep.add("first_year", f"{path.name} lists a work twice")
    return set(frame["project_id"])


def check_robust_folder(scn, folder: Path) -> list[Violation]:
    """Every claim of `planner robust`'s DIR `folder` that its files and `scn` (the
    scenario it was run on) do not bear out (see the module's docstring)."""
    folder = Path(folder)
    rep = Report()
    try:
        inp = read_inputs(scn)
        cfg = read_config(Path(scn.folder))[0]
    except (InputError, OSError, yaml.YAMLError) as exc:
        rep.add("inputs", f"the scenario's files cannot be read by the checker: {exc}")
        return rep.items
    summary = read_summary(folder, rep)
    unc = read_uncertainty(cfg.get("uncertainty"))
    if summary is None:
        return rep.items
    if unc is None:
        rep.add("uncertainty", f"scenario.yaml of {scn.folder} has no uncertainty:, which "
                               "planner robust samples")
        return rep.items
    if summary.get("uncertainty") != unc:
        rep.add("uncertainty", f"summary.json's uncertainty {summary.get('uncertainty')!r} "
                               f"is not scenario.yaml's {unc!r}")
    names = column_names(unc)
    head = ["sample", "seed_stream", *names]
    tail = [c for w in WHAT for c in (w, f"{w}_status")]
    solved = read_table(folder, "samples.csv", [*head, *tail, "plan"], rep)
    fresh = read_table(folder, "evaluation.csv", [*head, *tail, "difference", "evpi"], rep)
    table = read_table(folder, "first_year.csv", FIRST_YEAR, rep)
    y0 = inp.years[0]
    first = _starts(folder / STARTS, y0, rep)
    det = _starts(folder / "deterministic" / STARTS, y0, rep)
    if solved is None or fresh is None or table is None or first is None or det is None:
        return rep.items
    for frame, name, stream, count in ((solved, "samples.csv", SOLVE, "samples"),
                                       (fresh, "evaluation.csv", FRESH, "fresh_samples")):
        if summary.get(count) != len(frame):
            rep.add("summary", f"summary.json {count}: {summary.get(count)!r}; "
                               f"{name} has {len(frame)} rows")
        _check_draws(frame, name, stream, unc, rep)
        _check_values(frame, name, rep)
    _check_samples(folder, ((solved, "samples.csv", SOLVE), (fresh, "evaluation.csv", FRESH)),
                   inp, unc, first, det, table, rep)
    gap = _gap(folder, solved)
    for frame, name in ((solved, "samples.csv"), (fresh, "evaluation.csv")):
        _check_bound(frame, name, gap, rep)
    check_summary(summary, solved, fresh, inp, first, det, rep)
    return rep.items


def _check_draws(frame, name: str, stream: int, unc: dict, rep: Report) -> None:
    streams = {SOLVE: "solve", FRESH: "fresh"}
    for k, r in enumerate(frame.to_dict("records")):
        where = f"{name} row {k + 2}"
        if r["sample"] != f"{k + 1:03d}" or r["seed_stream"] != streams[stream]:
            rep.add("draws", f"{where}: sample {r['sample']!r} of stream "
                             f"{r['seed_stream']!r}, not {k + 1:03d} of {streams[stream]}")
        money, costs = redraw(unc, stream, k)
        for col, want in zip(column_names(unc), [*money, *costs]):
            got = cell_number(r[col])
            if not close(got, round(want, 6), 1e-9):
                rep.add("draws", f"{where}, column {col}: {r[col]!r}; the seed "
                                 f"{unc['seed']} draws {round(want, 6)!r} for sample "
                                 f"{k + 1:03d} of stream {stream}")


def _check_values(frame, name: str, rep: Report) -> None:
    for k, r in enumerate(frame.to_dict("records")):
        where = f"{name} row {k + 2}"
        got = {w: cell_number(r[w]) for w in WHAT}
        for w in WHAT:
            status = r[f"{w}_status"]
            if isinstance(got[w], str):
                rep.add("number", f"{where}, column {w}: {r[w]!r} is not a number")
            elif got[w] is not None and status not in WITH_PLAN:
                rep.add("evaluation", f"{where}: {w} has a value with status {status!r}, "
                                      "which has no plan")
            elif got[w] is None and status in HAS_PLAN:
                rep.add("evaluation", f"{where}: {w} has no value with status {status!r}")
        if "difference" not in frame.columns:
            continue
        for col, a, b in (("difference", "robust", "deterministic"),
                          ("evpi", "wait_and_see", "robust")):
            x, y = got[a], got[b]
            want = None if not all(isinstance(v, float) for v in (x, y)) else x - y
            if not close(cell_number(r[col]), want):
                rep.add("evaluation", f"{where}, column {col}: {r[col]!r}; {a} - {b} is "
                                      f"{want!r}")


def _gap(folder: Path, solved) -> float:
    """The requested relative gap (the sample plans' options.gap: one run, one gap)."""
    try:
        s = json.loads((folder / solved["plan"].iloc[0] / "plan" / "summary.json")
                       .read_bytes().decode("utf-8-sig"))
        return float(s["options"]["gap"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return 0.0


def _check_bound(frame, name: str, gap: float, rep: Report) -> None:
    """A wait-and-see proven optimal is the best plan of the sample's program, to the
    gap; each re-plan of the sample (either first year fixed) is a plan of it."""
    for k, r in enumerate(frame.to_dict("records")):
        ws = cell_number(r["wait_and_see"])
        if r["wait_and_see_status"] != "optimal" or not isinstance(ws, float):
            continue
        for w in ("robust", "deterministic"):
            x = cell_number(r[w])
            if isinstance(x, float) and x > ws + gap * abs(ws) + TOL:
                rep.add("evaluation", f"{name} row {k + 2}: wait_and_see {ws!r} is proven "
                                      f"optimal (gap {gap:g}), yet the {w} re-plan of the "
                                      f"sample is worth {x!r}")


def replan_folder(stream: int, k: int, what: str) -> str:
    """Where sample k's (0-based) re-plan of the `what` first year is written in DIR."""
    name = f"{k + 1:03d}"
    if stream == FRESH:
        return f"evaluation/{name}/{what}"
    return f"samples/{name}" if what == "robust" else f"samples/{name}/deterministic"


def _check_replan(folder: Path, where: str, r: dict, what: str, label: str, draw,
                  starts: set, inp, unc, rep: Report):
    """One re-plan: its scenario is the draw's with `starts` as its first year, and its
    plan's value, status and first year are those claimed; the plan's schedule."""
    check_sample_scenario(folder / where / "scenario", where, inp, unc, draw, starts, rep)
    plan, value = folder / where / "plan", cell_number(r[what])
    if not plan.is_dir():
        if value is not None:
            rep.add("samples", f"{label}: {what} {r[what]!r}, but {where}/plan holds no plan")
        return None
    s, sched = read_summary(plan, rep), read_schedule(plan, [], rep)
    if s is None or sched is None:
        return None
    if not close(value, s.get("objective")):
        rep.add("samples", f"{label}: {what} {r[what]!r}; the plan in {where}/plan is worth "
                           f"{s.get('objective')!r}")
    if r[f"{what}_status"] != str(s.get("status")):
        rep.add("samples", f"{label}: {what}_status {r[f'{what}_status']!r}; the plan in "
                           f"{where}/plan is {s.get('status')!r}")
    y0 = inp.years[0]
    mine = set(sched.loc[sched["start_year"] == y0, "project_id"])
    if mine != starts:
        rep.add("first_year", f"{where}/plan starts {len(mine)} work(s) in {y0}, not the "
                              f"{len(starts)} of its first year (non-anticipativity): "
                              f"{', '.join(sorted(mine ^ starts)[:5])} differ")
    return sched


def _check_samples(folder, tables, inp, unc, first, det, table, rep: Report) -> None:
    """Every re-plan of both tables (`tables`: (frame, csv name, stream)) against its
    plan and scenario folders, and first_year.csv against sample 001's plan."""
    y0 = inp.years[0]
    base = inp.projects.set_index("project_id")
    sample_one = None
    for frame, name, stream in tables:
        for k, r in enumerate(frame.to_dict("records")):
            label, draw = f"{name} row {k + 2}", redraw(unc, stream, k)
            if stream == SOLVE and r["plan"] != replan_folder(SOLVE, k, "robust"):
                rep.add("samples", f"{label}: plan {r['plan']!r}, not "
                                   f"{replan_folder(SOLVE, k, 'robust')}")
            for what, starts in (("robust", first), ("deterministic", det)):
                sched = _check_replan(folder, replan_folder(stream, k, what), r, what, label,
                                      draw, starts, inp, unc, rep)
                if (stream, k, what) == (SOLVE, 0, "robust"):
                    sample_one = sched
        top = "samples" if stream == SOLVE else "evaluation"
        kept = sorted(d.name for d in (folder / top).iterdir() if d.is_dir()) \
            if (folder / top).is_dir() else []
        if kept != [f"{k:03d}" for k in range(1, len(frame) + 1)]:
            rep.add("samples", f"{top}/ holds {', '.join(kept[:5]) or 'nothing'}"
                               f"{' ...' if len(kept) > 5 else ''}, not samples 001.."
                               f"{len(frame):03d} of {name}")
    if sample_one is None:
        return
    if set(table["project_id"]) != first or len(table) != len(first):
        rep.add("first_year", f"first_year.csv lists {len(table)} work(s), not the "
                              f"{len(first)} of {STARTS}")
    for k, r in enumerate(table.to_dict("records")):
        where = f"first_year.csv row {k + 2}"
        rows = sample_one[sample_one["project_id"] == r["project_id"]]
        if rows.empty or r["project_id"] not in base.index:
            continue
        head, now = rows.iloc[0], rows[rows["year"] == y0]
        for c in FIRST_YEAR[1:11]:
            if r[c] != str(head[c]).strip():
                rep.add("first_year", f"{where}, column {c}: {r[c]!r}; samples/001/plan "
                                      f"gives {head[c]!r}")
        want = {"work_cost": float(base.loc[r["project_id"], "cost"]),
                "work_pooled_cost": float(head["work_pooled_cost"]),
                **{c: float(now[c].sum()) for c in ("cost", "pooled_cost", "self_funded")}}
        for c, v in want.items():
            if not close(cell_number(r[c]), v, ONE_UNIT):
                rep.add("first_year", f"{where}, column {c}: {r[c]!r}; the first year's "
                                      f"{c} in samples/001/plan is {v:.4f}")
        if r["on_expected_money"] != str(r["project_id"] in det):
            rep.add("first_year", f"{where}: on_expected_money {r['on_expected_money']!r}, "
                                  f"but deterministic/{STARTS} "
                                  f"{'lists' if r['project_id'] in det else 'lacks'} it")
