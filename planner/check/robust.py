"""`planner robust`'s tables against the scenario and the sample plans written beside them.

`check_robust_folder(scn, folder)` recomputes what `planner robust` writes into DIR
from `scn` (the scenario it was run on: its files, read by the checker's own reading,
planner.check.inputs) and the files of DIR alone.  Each sample's plan is a plan
folder beside its own scenario folder, verified on its own by `verify_plan` (before
it is written, and again by `planner check SCENARIO DIR`); here:

  uncertainty      summary.json's `uncertainty` is scenario.yaml's, read here
  draws            samples.csv and evaluation.csv are samples 001..N of seed streams 0
                   and 1 (summary.json's counts), and each money factor and overrun is
                   the one re-drawn from the seed (planner.check.robust_stats)
  sample_scenario  (planner.check.robust_scenario)
                   samples/NNN/scenario is the scenario with that sample's draw: each
                   funds.csv amount the scenario's x its factor, each cost the
                   scenario's x (1 + its target's overrun), the first year's works at
                   their cost; the first year decided (its works locked in, their window
                   that year; every other work's window from the second year or locked
                   out); no uncertainty, the weighted rule for a lexicographic one
  first_year       non-anticipativity: every sample's plan starts the same works in the
                   first year, those of first_year_starts.csv and first_year.csv, each
                   row of first_year.csv sample 001's (labels, years, the first year's
                   money), its work_cost the scenario's cost, on_expected_money the
                   deterministic first year's (deterministic/first_year_starts.csv)
  samples          samples.csv's robust value and status are the sample plan's
                   (summary.json objective, status), plan its folder
  evaluation       difference = robust - deterministic, evpi = wait_and_see - robust; a
                   value only with a status that has a plan; a wait-and-see proven
                   optimal is not below a re-plan of the same sample (those are plans of
                   its program too) by more than the requested gap
  summary          every figure re-computed from the rows: the first year (works, cost,
                   shared with and apart from the expected-money plan's), expected value
                   and its spread (mean, sd, min, max, p10, p90, CVaR at alpha), VSS and
                   EVPI (mean of the paired differences, sd, se, 95 % t-interval, n, both
                   means) out of sample and in sample, no_plan and proven counts, the
                   sample counts and seed streams, hedging's iteration-0 wait-and-see
                   values, decision.candidate

Not recomputed, because what they describe is not written: the values of the re-plans
of fresh samples and of the deterministic first year, and wait-and-see (no plan folder
is kept for them: only the relations above hold them), the expected-money plan's first
year (deterministic/first_year_starts.csv, held consistent only), `decision` (the solve of the
sample-average program or of progressive hedging), seconds and time_limit.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import yaml

from ..errors import InputError
from ..tables import read_output_csv
from .files import read_schedule, read_summary
from .inputs import _config, read_inputs
from .report import ONE_UNIT, TOL, Report, Violation
from .robust_scenario import check_sample_scenario
from .robust_stats import (
    FRESH,
    SOLVE,
    column_names,
    mean_sd,
    paired,
    read_uncertainty,
    redraw,
    spread,
)

COMMAND = "planner robust"
STARTS = "first_year_starts.csv"
FIRST_YEAR = ("project_id", "county", "township", "village_id", "village_name", "exit_year",
              "target", "target_name", "department", "start_year", "finish_year", "work_cost",
              "work_pooled_cost", "cost", "pooled_cost", "self_funded", "on_expected_money")
WHAT = ("robust", "deterministic", "wait_and_see")
#: statuses a value may be given with; without a value none of the first two
WITH_PLAN, HAS_PLAN = ("optimal", "feasible", "time_limit"), ("optimal", "feasible")
LEVEL = 0.95


def is_robust_folder(folder: Path) -> bool:
    """`folder` holds what `planner robust` writes (summary.json says so)."""
    try:
        data = json.loads((Path(folder) / "summary.json").read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("command") == COMMAND


def _same(a, b, tol: float = TOL) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool) or not all(
            isinstance(x, (int, float)) for x in (a, b)):
        return False
    return math.isfinite(a) and abs(a - b) <= tol * max(1.0, abs(b))


def _num(text):
    """A cell: None when empty, a float, or the text itself when it is no number."""
    text = str(text).strip()
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _csv(folder: Path, name: str, columns, rep: Report) -> pd.DataFrame | None:
    path = folder / name
    if not path.is_file():
        rep.add("file", f"{name} is missing from {folder}")
        return None
    try:
        frame = read_output_csv(path)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError,
            ValueError, OSError) as exc:
        rep.add("file", f"{name} cannot be read as a CSV table ({str(exc).strip()})")
        return None
    frame.columns = [str(c).replace("\ufeff", "").strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        rep.add("file", f"{name} lacks column(s) {', '.join(missing)}")
        return None
    return frame.astype(str).apply(lambda s: s.str.strip())


def _starts(path: Path, year: int, rep: Report) -> set | None:
    frame = _csv(path.parent, path.name, ("project_id", "start_year"), rep)
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
        cfg = _config(Path(scn.folder))[0]
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
    solved = _csv(folder, "samples.csv", [*head, *tail, "plan"], rep)
    fresh = _csv(folder, "evaluation.csv", [*head, *tail, "difference", "evpi"], rep)
    table = _csv(folder, "first_year.csv", FIRST_YEAR, rep)
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
    _check_samples(folder, solved, inp, unc, first, det, table, rep)
    kept = sorted(d.name for d in (folder / "samples").iterdir() if d.is_dir()) \
        if (folder / "samples").is_dir() else []
    if kept != [f"{k:03d}" for k in range(1, len(solved) + 1)]:
        rep.add("samples", f"samples/ holds {', '.join(kept[:5]) or 'nothing'}"
                           f"{' ...' if len(kept) > 5 else ''}, not samples 001.."
                           f"{len(solved):03d} of samples.csv")
    gap = _gap(folder, solved)
    for frame, name in ((solved, "samples.csv"), (fresh, "evaluation.csv")):
        _check_bound(frame, name, gap, rep)
    _check_summary(summary, solved, fresh, inp, first, det, rep)
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
            got = _num(r[col])
            if not _same(got, round(want, 6), 1e-9):
                rep.add("draws", f"{where}, column {col}: {r[col]!r}; the seed "
                                 f"{unc['seed']} draws {round(want, 6)!r} for sample "
                                 f"{k + 1:03d} of stream {stream}")


def _check_values(frame, name: str, rep: Report) -> None:
    for k, r in enumerate(frame.to_dict("records")):
        where = f"{name} row {k + 2}"
        got = {w: _num(r[w]) for w in WHAT}
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
            if not _same(_num(r[col]), want):
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
        ws = _num(r["wait_and_see"])
        if r["wait_and_see_status"] != "optimal" or not isinstance(ws, float):
            continue
        for w in ("robust", "deterministic"):
            x = _num(r[w])
            if isinstance(x, float) and x > ws + gap * abs(ws) + TOL:
                rep.add("evaluation", f"{name} row {k + 2}: wait_and_see {ws!r} is proven "
                                      f"optimal (gap {gap:g}), yet the {w} re-plan of the "
                                      f"sample is worth {x!r}")


def _check_samples(folder, solved, inp, unc, first, det, table, rep: Report) -> None:
    y0 = inp.years[0]
    base = inp.projects.set_index("project_id")
    sample_one = None
    for k, r in enumerate(solved.to_dict("records")):
        where, want = f"samples.csv row {k + 2}", f"samples/{k + 1:03d}"
        if r["plan"] != want:
            rep.add("samples", f"{where}: plan {r['plan']!r}, not {want}")
        plan = folder / want / "plan"
        s = read_summary(plan, rep)
        sched = read_schedule(plan, [], rep)
        if s is None or sched is None:
            continue
        if not _same(_num(r["robust"]), s.get("objective")):
            rep.add("samples", f"{where}: robust {r['robust']!r}; the plan in {want}/plan is "
                               f"worth {s.get('objective')!r}")
        if r["robust_status"] != str(s.get("status")):
            rep.add("samples", f"{where}: robust_status {r['robust_status']!r}; the plan's "
                               f"status is {s.get('status')!r}")
        mine = set(sched.loc[sched["start_year"] == y0, "project_id"])
        if mine != first:
            rep.add("first_year", f"{want}/plan starts {len(mine)} work(s) in {y0}, not the "
                                  f"{len(first)} of {STARTS} (non-anticipativity): "
                                  f"{', '.join(sorted(mine ^ first)[:5])} differ")
        check_sample_scenario(folder / want / "scenario", want, inp, unc,
                               redraw(unc, SOLVE, k), first, rep)
        sample_one = sched if k == 0 else sample_one
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
            if not _same(_num(r[c]), v, ONE_UNIT):
                rep.add("first_year", f"{where}, column {c}: {r[c]!r}; the first year's "
                                      f"{c} in samples/001/plan is {v:.4f}")
        if r["on_expected_money"] != str(r["project_id"] in det):
            rep.add("first_year", f"{where}: on_expected_money {r['on_expected_money']!r}, "
                                  f"but deterministic/{STARTS} "
                                  f"{'lists' if r['project_id'] in det else 'lacks'} it")


def _values(frame, what: str) -> list:
    return [v if isinstance(v, float) else None for v in map(_num, frame[what])]


def _check_summary(s: dict, solved, fresh, inp, first, det, rep: Report) -> None:
    bad = lambda key, got, want: rep.add(  # noqa: E731
        "summary", f"summary.json {key}: {got!r}; the files give {want!r}")

    def same(key: str, got, want):
        if isinstance(want, dict):
            if not isinstance(got, dict):
                bad(key, got, want)
                return
            for k, v in want.items():
                same(f"{key}.{k}", got.get(k), v)
        elif isinstance(want, list) and want and not isinstance(want[0], str):
            if not isinstance(got, list) or len(got) != len(want):
                bad(key, got, want)
            else:
                for i, (g, v) in enumerate(zip(got, want)):
                    same(f"{key}[{i}]", g, v)
        elif isinstance(want, (str, list, bool)) or want is None:
            if got != want:
                bad(key, got, want)
        elif not _same(got, want):
            bad(key, got, want)

    alpha = s.get("alpha")
    if not isinstance(alpha, (int, float)) or not 0 <= alpha < 1:
        bad("alpha", alpha, "a level in [0, 1)")
        return
    rob, dt, ws = (_values(fresh, w) for w in WHAT)
    rob_in, det_in, ws_in = (_values(solved, w) for w in WHAT)
    got = lambda v: [x for x in v if x is not None]  # noqa: E731
    cost = inp.projects.set_index("project_id")["cost"]
    same("first_year", s.get("first_year"), {
        "year": inp.years[0], "works": len(first),
        "cost": round(float(sum(cost.get(p, math.nan) for p in first)), 4),
        "on_expected_money": len(first & det), "only_robust": sorted(first - det),
        "only_expected_money": sorted(det - first)})
    x = s.get("expected_value") or {}
    same("expected_value", x, {
        "value": mean_sd(got(rob))[0],
        "spread": spread(got(rob), alpha) if got(rob) else None,
        "in_sample": spread(got(rob_in), alpha) if got(rob_in) else None})
    for key, a, b, c, d in (("vss", (rob, dt), (rob_in, det_in), "robust", "deterministic"),
                            ("evpi", (ws, rob), (ws_in, rob_in), "wait_and_see", "robust")):
        out, ins = paired(*a, LEVEL), paired(*b, LEVEL)
        trim = lambda p: {k: p[k] for k in ("value", "ci", "level", "sd", "se", "n")}  # noqa
        same(key, s.get(key), {**trim(out), c: out["first_mean"], d: out["second_mean"],
                               "in_sample": trim(ins)})
    same("no_plan", s.get("no_plan"), {w: sum(v is None for v in x) for w, x in
                                       zip(WHAT, (rob, dt, ws))})
    same("proven", s.get("proven"), {f"{w}_proven": int((fresh[f"{w}_status"] ==
                                                         "optimal").sum()) for w in WHAT})
    same("seed_streams", s.get("seed_streams"), {"solve": SOLVE, "fresh": FRESH})
    if s.get("scenario") != inp.name:
        bad("scenario", s.get("scenario"), inp.name)
    method, decision = s.get("method"), s.get("decision") or {}
    if method not in ("extensive", "hedging") or decision.get("method") != method or (
            method == "hedging" and s.get("objective") != "expected"):
        bad("method", method, "extensive or hedging (expected value only), as decision says")
    if method == "hedging" and decision.get("wait_and_see") is not None:
        same("decision.wait_and_see", decision.get("wait_and_see"), ws_in)
    rejected = decision.get("rejected") or []
    if decision.get("candidate") != len(rejected) + 1:
        bad("decision.candidate", decision.get("candidate"), len(rejected) + 1)
