"""The `planner` command: parse, call the library, print, exit code.

Exit codes: 0 success; 1 bad input or no plan possible (one message naming
file, row, column); 2 usage error (click); 3 a plan failed the independent
check (a bug, reported rather than written).
"""

from __future__ import annotations

import json
import sys
import traceback
from functools import wraps
from pathlib import Path

import click

from models.backends import REGISTRY

from .errors import InputError
from .options import (
    MAX_ALTERNATIVES,
    MAX_COUNTIES,
    MAX_GENERATE_SEED,
    MAX_RATIO,
    MAX_TOP,
    MAX_VILLAGES,
    Bounded,
    BudgetScale,
    FiniteRange,
    YearList,
)


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def friendly(func):
    """Turn the library's errors into one message and an exit code; --debug shows more."""
    @wraps(func)
    def wrapper(*args, **kwargs):
        from models.solve import BackendError

        from .outdir import begin, interrupted_message
        from .pipeline import PlanningError

        begin()
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            if click.get_current_context().find_root().params.get("debug"):
                traceback.print_exc()
            _fail(str(exc), 1)
        except PlanningError as exc:
            _fail(str(exc), exc.exit_code)
        except BackendError as exc:
            _fail(str(exc), 2)
        except KeyboardInterrupt:
            _fail(interrupted_message(), 130)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="village-planner")
def main(debug):
    """Plan poverty-village upgrades (贫困村提升工程): which works, from which money, in which year."""  # noqa: E501


solver_opts = [
    click.option("--solver", "backend", default=None,
                 help=f"Backend: {', '.join(REGISTRY)} (installed: `planner solvers`)."),
    click.option("--time-limit", type=Bounded("time_limit"), default=None,
                 help="Seconds (> 0, at most 7 days)."),
    click.option("--gap", type=Bounded("gap"), default=None,
                 help="Relative optimality gap in [0, 1]; 0 asks for a proven optimum."),
    click.option("--threads", type=Bounded("threads"), default=None,
                 help="1..1024; more than the machine's cores is capped at the cores."),
    click.option("--seed", type=Bounded("seed"), default=None),
]


SOLVER_ARGS = ("backend", "time_limit", "gap", "threads", "seed")


def with_solver_options(func):
    """The common solver options, handed to the command as one `solver` dict of the
    options given (those left out keep the scenario's or the defaults)."""
    @wraps(func)
    def wrapper(*args, **kwargs):
        given = {k: kwargs.pop(k) for k in SOLVER_ARGS}
        return func(*args, solver={k: v for k, v in given.items() if v is not None}, **kwargs)
    for opt in reversed(solver_opts):
        wrapper = opt(wrapper)
    return wrapper


def _print_summary(summary: dict, out: Path | None) -> None:
    click.echo(f"scenario   {summary['scenario']}  ({summary['objective_kind']})")
    gap = summary["gap"]
    click.echo(f"status     {summary['status']}  solver {summary['solver']}  "
               f"{summary['seconds']:.2f} s")
    bound = summary["best_bound"]
    click.echo(f"objective  {summary['objective']:.4f}   bound "
               f"{'-' if bound is None else f'{bound:.4f}'}   gap "
               f"{'-' if gap is None else f'{gap:.4%}'}")
    click.echo(f"gaps       {summary['gaps_closed']} of {summary['gaps_planned']} closed")
    batches = "  ".join(f"{y}: {summary['villages_on_time'][y]}/{summary['villages_due'][y]}"
                        for y in summary["villages_due"])
    click.echo(f"on time    {batches}")
    click.echo(f"cost       {summary['total_cost']:.4f} (pooled {summary['pooled_cost']:.4f}, "
               f"of {summary['money_available']:.4f} available)")
    if out is not None:
        click.echo(f"written    {out}/schedule.csv villages.csv funds.csv summary.json")


@main.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("plan"),
              show_default=True, help="Folder for the plan outputs.")
@with_solver_options
@click.option("--verbose", "-v", is_flag=True, help="Solver log to stderr.")
@click.option("--no-hint", is_flag=True, help="Do not start the solver from the greedy plan.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True, help="xlsx also writes plan.xlsx, one sheet per table.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Headers of plan.xlsx: codes (en) or Chinese (zh).")
@click.option("--decompose", type=click.Choice(["auto", "county", "off"]), default=None,
              help="Solve county by county as Dask tasks (auto: from 3,000 projects).")
@click.option("--scheduler", default=None,
              help="Dask scheduler address for county solves (default: a local cluster).")
@friendly
def solve(scenario, out, solver, verbose, no_hint, fmt, lang,
          decompose, scheduler):
    """Plan SCENARIO, verify the plan, write the outputs to --out."""
    from .outdir import precheck
    from .pipeline import plan_scenario

    precheck(out, [scenario])  # a refused --out is told before the solve, not after
    outcome = plan_scenario(scenario, out, verbose=verbose, **solver,
                            use_hint=not no_hint, fmt=fmt, lang=lang, decompose=decompose,
                            scheduler=scheduler,
                            progress=sys.stderr.isatty() and not verbose)
    for w in outcome.scenario.warnings:
        click.echo(f"warning: {w}", err=True)
    _print_summary(outcome.plan.summary, out)
    if fmt == "xlsx":
        click.echo(f"           {out}/plan.xlsx")


@main.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@friendly
def validate(scenario):
    """Read and check the inputs of SCENARIO only."""
    from .build import build_instance
    from .scenario import load_scenario

    scn = load_scenario(scenario)
    inst = build_instance(scn)
    click.echo(f"{scn.name}: valid — {len(scn.villages)} villages "
               f"({inst.n_villages} planned), {len(scn.gaps)} gaps, {len(scn.projects)} projects, "
               f"{inst.n_pools} money pools over {scn.years[0]}-{scn.years[-1]}, "
               f"{len(scn.deadlines)} deadlines")
    for w in scn.warnings:
        click.echo(f"warning: {w}", err=True)


@main.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@friendly
def check(scenario, plan_dir):
    """Re-verify a written plan in PLAN_DIR against SCENARIO, without any solver."""
    from .scenario import load_scenario
    from .verify import verify_plan

    scn = load_scenario(scenario)
    problems = verify_plan(scn, plan_dir)
    if problems:
        for v in problems:
            click.echo(f"[{v.rule}] {v.message}")
        _fail(f"the plan in {plan_dir} breaks {len(problems)} rule(s)", 1)
    click.echo(f"{plan_dir}: the plan satisfies every rule of {scn.name}")


@main.command()
def solvers():
    """List the installed solver backends and their versions."""
    from models.solve import DEFAULT_BACKEND, available

    for name, version in available().items():
        mark = " (default)" if name == DEFAULT_BACKEND else ""
        click.echo(f"{name:8s} {version}{mark}")


@main.command()
@click.option("--villages", type=click.IntRange(min=1, max=MAX_VILLAGES), required=True)
@click.option("--counties", type=click.IntRange(min=1, max=MAX_COUNTIES), default=1,
              show_default=True)
@click.option("--seed", type=click.IntRange(min=0, max=MAX_GENERATE_SEED), default=0,
              show_default=True)
@click.option("--years", type=YearList(), default="2018,2019,2020", show_default=True,
              help="Comma-separated consecutive years.")
@click.option("--pooled-stream", is_flag=True, help="Integrated funds pooled across counties.")
@click.option("--budget-ratio", type=FiniteRange(min=0, max=MAX_RATIO), default=0.6,
              show_default=True,
              help="Money over the horizon as a share of the total pooled need.")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@friendly
def generate(villages, counties, seed, years, pooled_stream, budget_ratio, out):
    """Write a synthetic scenario of realistic shape to OUT."""
    from .generate import generate as gen

    stats = gen(out, villages=villages, counties=counties, seed=seed, years=years,
                pooled_stream=pooled_stream, budget_ratio=budget_ratio)
    click.echo(json.dumps(stats, ensure_ascii=False, default=str))


@main.command()
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Folder with your own report.html.j2 (Jinja2); "
                                 "templates not in it are the bundled ones.")
@friendly
def report(plan_dir, templates):
    """Write a self-contained report.html into PLAN_DIR."""
    from .outputs.report import write_report
    from .plan_folder import check_plan_folder

    check_plan_folder(plan_dir)
    path = write_report(plan_dir, templates)
    click.echo(f"written    {path}")


@main.command()
@click.argument("items", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for compare.csv, compare_changes.csv, compare.xlsx (and the plans "
                   "of scenarios solved here).")
@with_solver_options
@friendly
def compare(items, out, solver):
    """Plans side by side: each ITEM is a plan folder or a scenario (solved first)."""
    import tempfile
    from contextlib import nullcontext

    from .compare import compare as compare_plans, load_plan, write_compare
    from .outdir import output_folder
    from .pipeline import plan_scenario, solver_options
    from .plan_folder import check_plan_folder
    from .scenario import load_scenario

    scenarios = {i: load_scenario(item) for i, item in enumerate(items)
                 if (item / "scenario.yaml").is_file() and not (item / "summary.json").exists()}
    for i, item in enumerate(items):
        if i not in scenarios:
            check_plan_folder(item)
    inputs = [items[i] for i in range(len(items)) if i not in scenarios] + [
        f for scn in scenarios.values() for f in scn.input_files]
    from models.budget import TimeBudget

    # one time limit for the command, shared by the scenarios it solves
    budget = TimeBudget(solver.get("time_limit") or min(
        [solver_options(scn)["time_limit"] for scn in scenarios.values()] or [None]))
    to_solve = [len(scenarios)]
    with (output_folder(out, "planner compare", inputs) if out else nullcontext()) as stage, \
            tempfile.TemporaryDirectory() as tmp:
        plans = []
        for i, item in enumerate(items):
            if i not in scenarios:
                plans.append(load_plan(item))
                continue
            target = Path(stage or tmp) / f"{i + 1}-{item.resolve().name}"
            click.echo(f"solving {item} ...", err=True)
            share = budget.share(1 / max(1, to_solve[0]))
            to_solve[0] -= 1
            plan_scenario(scenarios[i], target, **{**solver, "time_limit": share})
            plans.append(load_plan(target, name=item.resolve().name))
        table, diff = compare_plans(plans)
        if out:
            write_compare(table, diff, stage)
    click.echo(table.to_string(index=False, max_rows=80))
    if len(diff):
        click.echo("")
        summary = diff.groupby(["plan", "change"]).size().reset_index(name="count")
        click.echo(summary.to_string(index=False))
    if out:
        click.echo(f"written    {out}/compare.csv compare_changes.csv compare.xlsx")


@main.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--budget-scale", "scales", type=BudgetScale(), required=True,
              help="START:STOP:STEP, e.g. 0.5:1.5:0.1 (at most 1,000 points, scales <= 1000)")
@click.option("--stream", default=None, help="Scale only this stream (default: all).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--scheduler", default=None,
              help="Dask scheduler address (default: a local cluster).")
@with_solver_options
@friendly
def sweep(scenario, scales, stream, out, scheduler, solver):
    """The budget-coverage curve: sweep.csv and sweep.png, solves in parallel on Dask."""
    from .outdir import output_folder, precheck
    from .scenario import load_scenario
    from .sweep import plot_sweep, run_sweep
    from .tables import write_csv

    scn = load_scenario(scenario)  # bad input is reported before any worker starts
    if stream and stream not in set(scn.funds["stream"]):
        raise click.BadParameter(f"unknown stream {stream!r}; streams: "
                                 f"{', '.join(sorted(set(scn.funds['stream'])))}",
                                 param_hint="--stream")

    def progress(row, done, total):
        what = row.get("error") or f"value {row.get('value'):.4f}"
        click.echo(f"[{done}/{total}] scale {row['scale']:g}: {what}", err=True)

    precheck(out, scn.input_files)  # refused before the solves, not after
    frame = run_sweep(scenario, scales, stream=stream, scheduler=scheduler, on_result=progress,
                      **solver)
    with output_folder(out, "planner sweep", scn.input_files) as stage:
        write_csv(frame, stage / "sweep.csv")
        plot_sweep(frame, stage / "sweep.png", f"{scn.name}: budget-coverage"
                   + (f" ({stream})" if stream else ""))
    click.echo(frame.to_string(index=False))
    click.echo(f"written    {out}/sweep.csv sweep.png")


@main.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None)
@with_solver_options
@friendly
def needs(scenario, out, solver):
    """The least money meeting every exit standard and deadline, and the funding gap."""
    from .needs import needs as compute_needs
    from .outdir import output_folder, precheck
    from .scenario import load_scenario
    from .tables import write_csv

    scn = load_scenario(scenario)
    if out:
        precheck(out, scn.input_files)  # refused before the solves, not after
    try:
        table, summary = compute_needs(scn, **solver)
    except RuntimeError as exc:
        _fail(str(exc), 1)
    for label in summary["impossible_exit_gaps"] + summary["impossible_deadlines"]:
        click.echo(f"no money can make this hold, left out: {label}", err=True)
    click.echo(f"least money for every exit standard and deadline: "
               f"{summary['least_total_money']:.4f} (available {summary['money_available']:.4f})")
    click.echo(f"funding gap with the money as it is: {summary['funding_gap_total']:.4f}")
    click.echo(table.to_string(index=False))
    click.echo(f"marginal value: {summary['marginal_value_source']}")
    if out:
        with output_folder(out, "planner needs", scn.input_files) as stage:
            write_csv(table, stage / "needs.csv")
            (stage / "needs.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2),
                                              encoding="utf-8")
        click.echo(f"written    {out}/needs.csv needs.json")


@main.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--actuals", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="CSV/xlsx: project_id, start_year [, cost] of executed works.")
@click.option("--from", "from_year", type=int, required=True, help="First year to re-plan.")
@click.option("--stable", is_flag=True, help="Keep as many previous decisions as possible.")
@click.option("--previous", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="The previous plan folder (default: the scenario re-solved).")
@click.option("--actual-funds", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="CSV: stream, year, amount [, county]: real fund amounts.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@with_solver_options
@friendly
def replan(scenario, actuals, from_year, stable, previous, actual_funds, out, solver):
    """Re-plan the years from --from around what was executed."""
    from .outdir import precheck
    from .replan import replan as do_replan

    precheck(out, [p for p in (scenario, actuals, previous, actual_funds) if p is not None])
    res = do_replan(scenario, actuals, from_year, out, stable=stable, previous=previous,
                    actual_funds=actual_funds, **solver)
    _print_summary(res.outcome.plan.summary, out)
    counts = res.changes["change"].value_counts().to_dict()
    click.echo(f"changes    {len(res.changes)} decision(s) differ from the previous plan "
               f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items())) or 'none'}); "
               f"stability: {res.stable}")
    click.echo(f"           {out}/changes.csv")


@main.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--count", type=click.IntRange(min=1, max=MAX_ALTERNATIVES), default=3,
              show_default=True)
@click.option("--within", default="1%", show_default=True,
              help="Tolerance to the optimum, e.g. 1% or 0.01.")
@click.option("--top", type=click.IntRange(min=0, max=MAX_TOP), default=10, show_default=True,
              help="Importance is re-solved for this many of the most expensive works.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@with_solver_options
@friendly
def alternatives(scenario, count, within, top, out, solver):
    """K near-optimal plans that differ most, and each work's importance."""
    from .alternatives import alternatives as find, parse_tolerance

    try:
        tol = parse_tolerance(within)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--within") from None
    res = find(scenario, count, tol, out, top=top, **solver)
    cols = ["plan", "value", "vs_best", "villages_on_time", "projects", "added", "dropped",
            "moved"]
    click.echo(res.table[cols].to_string(index=False))
    if len(res.plans) < count:
        click.echo(f"only {len(res.plans)} distinct plan(s) lie within {within} of the optimum")
    click.echo("")
    click.echo("importance (value lost without the work; blank: no plan without it):")
    click.echo(res.importance.to_string(index=False))
    click.echo(f"written    {out}/plan-1 .. plan-{len(res.plans)}, alternatives.csv, "
               "importance.csv")


@main.command()
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--village", required=True, help="village_id")
@click.option("--target", default=None, help="One target code (default: every gap of the village).")
@click.option("--scenario", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="The plan's scenario (default: read from summary.json).")
@with_solver_options
@friendly
def explain(plan_dir, village, target, scenario, solver):
    """Why a village's gap stays open or closes late, with a re-solve that forces it in."""
    from .explain import explain as why, scenario_folder
    from .plan_folder import check_plan_folder

    summary = check_plan_folder(plan_dir)  # whole, and made from the scenario used
    check_plan_folder(plan_dir, scenario or scenario_folder(plan_dir, summary))
    for line in why(plan_dir, village, target, scenario=scenario, **solver):
        click.echo(line)


@main.command()
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the sheets (default: PLAN_DIR/sheets).")
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Folder with your own sheet.html.j2, notice.html.j2, "
                                 "index.html.j2 (Jinja2); templates not in it are the "
                                 "bundled ones.")
@friendly
def sheets(plan_dir, out, templates):
    """Village task maps and timetables (one printable page each) and the county
    public-notice tables (公示表)."""
    from .outputs.sheets import write_sheets
    from .plan_folder import check_plan_folder

    check_plan_folder(plan_dir)
    counts = write_sheets(plan_dir, out, templates)
    where = out or plan_dir / "sheets"
    click.echo(f"written    {where}: {counts['pages']} village pages, index.html, "
               f"notice.csv and {counts['counties']} county notice(s)")


@main.command("solve-many")
@click.argument("scenarios", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="One plan folder per scenario is written below it.")
@click.option("--scheduler", default=None,
              help="Dask scheduler address (default: a local cluster).")
@with_solver_options
@friendly
def solve_many(scenarios, out, scheduler, solver):
    """Plan many scenarios as Dask tasks; a failed one is reported, the others kept."""
    from .many import plan_many, unique_names
    from .outdir import precheck

    for name in unique_names(scenarios):  # every plan folder may be written, or none is
        precheck(out / name, scenarios)
    def progress(row, done, total):
        what = (f"{row['status']} value {row['objective']:.4f}" if row["ok"]
                else "FAILED: " + row["error"].splitlines()[0])
        click.echo(f"[{done}/{total}] {row['scenario']}: {what}", err=True)

    rows = plan_many([str(s) for s in scenarios], out, scheduler=scheduler, on_result=progress,
                     **solver)
    for r in rows:
        state = f"{r['status']:10s} {r['objective']:.4f}" if r["ok"] else "failed"
        click.echo(f"{state:24s} {r['out']}")
    failed = [r for r in rows if not r["ok"]]
    if failed:
        for r in failed:
            click.echo(f"error: {r['scenario']}: {r['error']}", err=True)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
