"""The `planner` command: parse, call the library, print, exit code.

Exit codes: 0 success; 1 bad input or no plan possible (one message naming
file, row, column); 2 usage error (click); 3 a bug: an unexpected exception (one line;
the traceback with --debug) or a plan that failed the independent check (reported
rather than written); see planner.cli_common.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .cli_common import PlannerGroup, fail, friendly, print_summary, with_solver_options
from .options import (
    MAX_COUNTIES,
    MAX_GENERATE_SEED,
    MAX_RATIO,
    MAX_VILLAGES,
    FiniteRange,
    YearList,
)
from .progress import progress


@click.group(cls=PlannerGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                 "show_default": True})
@click.option("--debug", is_flag=True,
              help="On an error, show the Python traceback too (give it before the command: "
                   "planner --debug solve ...).")
@click.version_option(package_name="village-planner")
def main(debug):
    """Plan poverty-village upgrades (贫困村提升工程): which works, from which money, in which year."""  # noqa: E501


@main.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("plan"),
              show_default=True, help="Folder for the plan outputs.")
@with_solver_options("decompose", "scheduler")
@click.option("--verbose", "-v", is_flag=True, help="Solver log to stderr.")
@click.option("--no-hint", is_flag=True, help="Do not start the solver from the greedy plan.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True, help="xlsx also writes plan.xlsx, one sheet per table.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
              help="Language of the plan tables (CSV and plan.xlsx): English headers and "
                   "codes (en), or Chinese headers with units, names and 是/否 (zh). "
                   "[default: scenario.yaml's lang, else en]")
@click.option("--priority-cost", is_flag=True,
              help="Under the lexicographic exit priority, also plan under the weighted rule "
                   "(in the last third of the time limit) and record, per exit batch, what "
                   "the priority cost (summary.json priority_cost, the report, compare).")
@friendly
def solve(scenario, out, solver, verbose, no_hint, fmt, lang, priority_cost):
    """Plan SCENARIO, verify the plan, write the outputs to --out."""
    from .outdir import precheck
    from .pipeline import plan_scenario

    precheck(out, [scenario])  # a refused --out is told before the solve, not after
    # the live line on a terminal (not with -v: the solver's log is there); the phases
    # (exit-priority stages, the value, the tie-break) from models.solve
    with progress("solve", live=False if verbose else None) as line:
        outcome = plan_scenario(scenario, out, verbose=verbose, **solver,
                                use_hint=not no_hint, fmt=fmt, lang=lang,
                                priority_cost=priority_cost,
                                progress=line if line.live else False,
                                notice=lambda text: line.echo(f"note: {text}"))
    for w in outcome.scenario.warnings:
        click.echo(f"warning: {w}", err=True)
    print_summary(outcome.plan.summary, out)
    if fmt == "xlsx":
        click.echo(f"           {out}/plan.xlsx")


@main.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@friendly
def validate(scenario):
    """Read and check the inputs of SCENARIO only."""
    from .build import build_instance
    from .pipeline import exit_notes
    from .scenario import load_scenario
    scn = load_scenario(scenario)
    inst = build_instance(scn)
    click.echo(f"{scn.name}: valid — {len(scn.villages)} villages "
               f"({inst.n_villages} planned), {len(scn.gaps)} gaps, {len(scn.projects)} projects, "
               f"{inst.n_pools} money pools over {scn.years[0]}-{scn.years[-1]}, "
               f"{len(scn.deadlines)} deadlines")
    for w in scn.warnings:
        click.echo(f"warning: {w}", err=True)
    for line in exit_notes(scn, inst):
        click.echo(f"note: {line}", err=True)


@main.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@friendly
def check(scenario, plan_dir):
    """Re-verify a written plan in PLAN_DIR against SCENARIO, without any solver (a
    `planner robust` folder: its tables and every sample's plan)."""
    from .check.robust import is_robust_folder
    from .plan.folder import not_a_plan, not_a_scenario

    if is_robust_folder(plan_dir):
        from .cli_robust import check_output

        return check_output(scenario, plan_dir)
    from .scenario import load_scenario
    from .verify import verify_plan

    for problem in (not_a_scenario(scenario), not_a_plan(plan_dir)):  # one line each
        if problem:
            fail(problem, 1)
    scn = load_scenario(scenario)
    problems = verify_plan(scn, plan_dir)
    if problems:
        for v in problems:
            click.echo(f"[{v.rule}] {v.message}")
        fail(f"the plan in {plan_dir} breaks {len(problems)} rule(s)", 1)
    click.echo(f"{plan_dir}: the plan satisfies every rule of {scn.name}")


@main.command()
def solvers():
    """List the installed solver backends, their versions and the options each takes
    (--solver-option NAME=VALUE, or `solver: {extras: {NAME: VALUE}}` in scenario.yaml)."""
    from models.backends import extras_of
    from models.solve import DEFAULT_BACKEND, available

    for name, version in available().items():
        mark = " (default)" if name == DEFAULT_BACKEND else ""
        click.echo(f"{name:8s} {version}{mark}")
        takes = ", ".join(f"{key} ({rule.text()})" for key, rule in extras_of(name).items())
        click.echo(f"{'':8s} options: {takes or 'none'}")


@main.command()
@click.option("--villages", type=click.IntRange(min=1, max=MAX_VILLAGES), default=None,
              help="Number of villages (required unless --nation).")
@click.option("--counties", type=click.IntRange(min=1, max=MAX_COUNTIES), default=1,
              show_default=True, help="Number of counties the villages are spread over.")
@click.option("--seed", type=click.IntRange(min=0, max=MAX_GENERATE_SEED), default=0,
              show_default=True,
              help="Random seed: the same seed and options write the same files.")
@click.option("--years", type=YearList(), default="2018,2019,2020", show_default=True,
              help="Comma-separated consecutive years.")
@click.option("--pooled-stream", is_flag=True, help="Integrated funds pooled across counties.")
@click.option("--budget-ratio", type=FiniteRange(min=0, max=MAX_RATIO), default=0.6,
              show_default=True,
              help="Money over the horizon as a share of the total pooled need.")
@click.option("--nation", is_flag=True,
              help="The 832 national poverty counties (real provinces and exit years, "
                   "about 128,000 villages, 2018-2020; see planner/generate/nation.py).")
@click.option("--provinces", default=None,
              help="With --nation: only these provinces, comma-separated (e.g. 宁夏,海南).")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@friendly
def generate(villages, counties, seed, years, pooled_stream, budget_ratio, nation, provinces,
             out):
    """Write a synthetic scenario of realistic shape to OUT."""
    from .generate import generate as gen

    if nation:
        from .generate.nation import generate_nation

        if villages is not None or pooled_stream or counties != 1 or \
                tuple(years) != (2018, 2019, 2020):
            raise click.UsageError("--nation takes the real counties over 2018-2020: no "
                                   "--villages, --counties, --years or --pooled-stream")
        try:
            stats = generate_nation(out, seed=seed, budget_ratio=budget_ratio,
                                    provinces=provinces.split(",") if provinces else None)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    elif villages is None or provinces:
        raise click.UsageError("give --villages N (or --nation, with --provinces)")
    else:
        stats = gen(out, villages=villages, counties=counties, seed=seed, years=years,
                    pooled_stream=pooled_stream, budget_ratio=budget_ratio)
    click.echo(json.dumps(stats, ensure_ascii=False, default=str))


@main.command()
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Folder with your own report.html.j2 (Jinja2); "
                                 "templates not in it are the bundled ones.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
              show_default="the plan's language, else en",
              help="Language of the report: English (en) or Chinese (zh).")
@friendly
def report(plan_dir, templates, lang):
    """Write a self-contained report.html into PLAN_DIR."""
    from .outputs.report import write_report
    from .plan.folder import check_plan_folder

    check_plan_folder(plan_dir)
    path = write_report(plan_dir, templates, lang)
    click.echo(f"written    {path}")


@main.command()
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the sheets (default: PLAN_DIR/sheets).")
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Folder with your own sheet.html.j2, notice.html.j2, "
                                 "index.html.j2 (Jinja2); templates not in it are the "
                                 "bundled ones.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
              show_default="the plan's language, else en",
              help="Language of the sheets, notices and notice.csv: English (en) or "
                   "Chinese (zh).")
@friendly
def sheets(plan_dir, out, templates, lang):
    """Village task maps and timetables (one printable page each) and the county
    public-notice tables (公示表)."""
    from .outputs.sheets import write_sheets
    from .plan.folder import check_plan_folder

    check_plan_folder(plan_dir)
    counts = write_sheets(plan_dir, out, templates, lang)
    where = out or plan_dir / "sheets"
    click.echo(f"written    {where}: {counts['pages']} village pages, index.html, "
               f"notice.csv and {counts['counties']} county notice(s)")


@main.command("solve-many")
@click.argument("scenarios", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="One plan folder per scenario is written below it.")
@with_solver_options("scheduler")
@friendly
def solve_many(scenarios, out, solver):
    """Plan many scenarios as Dask tasks; a failed one is reported, the others kept."""
    from .many import plan_many, unique_names
    from .outdir import precheck

    for name in unique_names(scenarios):  # every plan folder may be written, or none is
        precheck(out / name, scenarios)
    def progress(row, done, total):
        what = (f"{row['status']} value {row['objective']:.4f}" if row["ok"]
                else "FAILED: " + row["error"].splitlines()[0])
        click.echo(f"[{done}/{total}] {row['scenario']}: {what}", err=True)

    rows = plan_many([str(s) for s in scenarios], out, on_result=progress, **solver)
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


from .cli_whatif import COMMANDS as _WHATIF  # noqa: E402  (registered last, below main)

for _command in _WHATIF:
    main.add_command(_command)
from .export_model import export_model as _export_model  # noqa: E402

main.add_command(_export_model)
from .cli_robust import robust as _robust  # noqa: E402

main.add_command(_robust)
from .cli_priority import priority as _priority  # noqa: E402

main.add_command(_priority)
