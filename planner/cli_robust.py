"""`planner robust`: the first year's works decided once for the samples of
scenario.yaml's `uncertainty:`, the later years adapted to each (planner.robust);
registered on the `planner` group with the what-if commands (planner.cli_whatif)."""

from __future__ import annotations

from pathlib import Path

import click

from models.robust import EXTENSIVE_LIMIT, METHODS, OBJECTIVES

from .cli_common import friendly, with_solver_options
from .options import FiniteRange
from .progress import progress
from .scenario.uncertainty import MAX_SAMPLES


@click.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--samples", type=click.IntRange(min=1, max=MAX_SAMPLES), default=None,
              help="Samples the first year is decided on. [default: scenario.yaml "
                   "uncertainty: samples, else 10]")
@click.option("--evaluate", type=click.IntRange(min=2, max=MAX_SAMPLES), default=None,
              help="Fresh samples (another seed stream) the first year is measured on. "
                   "[default: as many as --samples]")
@click.option("--objective", type=click.Choice(OBJECTIVES), default="expected",
              show_default=True,
              help="expected: the mean value over the samples; worst: the least; cvar: "
                   "the mean of the worst 1 - alpha share.")
@click.option("--alpha", type=FiniteRange(min=0, max=1, max_open=True), default=0.9,
              show_default=True, help="The CVaR level (with --objective cvar; summary.json "
                                      "reports the CVaR at it in every case).")
@click.option("--method", type=click.Choice(METHODS), default="auto", show_default=True,
              help="extensive: one program holding every sample; hedging: progressive "
                   "hedging, each sample's program a Dask task (--scheduler); auto: "
                   f"extensive up to {EXTENSIVE_LIMIT:,} variables in all (always for worst "
                   "and cvar), "
                   "else hedging.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for first_year.csv, first_year_starts.csv, samples.csv, "
                   "evaluation.csv, summary.json, samples/NNN/{scenario,plan,"
                   "deterministic} and evaluation/NNN/{robust,deterministic}.")
@with_solver_options("scheduler")
@friendly
def robust(scenario, samples, evaluate, objective, alpha, method, out, solver):
    """A first year that holds when money or costs change: decided once for every sample
    of uncertainty:, the later years re-planned in each; VSS and EVPI measured on fresh
    samples."""
    from .outdir import precheck
    from .robust import robust as plan_robust
    from .robust.report import lines

    if method == "hedging" and objective != "expected":
        raise click.UsageError("--method hedging averages over the samples: use --method "
                               "extensive (or auto) for --objective worst or cvar")
    precheck(out, [scenario])  # refused before the solves, not after
    with progress("robust") as line:
        run = plan_robust(scenario, out, samples=samples, evaluate=evaluate,
                          objective=objective, alpha=alpha, method=method,
                          progress=line if line.live else None, **solver)
    for text in lines(run.summary):
        click.echo(text)
    click.echo(f"written    {out}/first_year.csv first_year_starts.csv samples.csv "
               f"evaluation.csv summary.json samples/001..{len(run.solved):03d} "
               f"evaluation/001..{len(run.fresh):03d}")


def check_output(scenario: Path, folder: Path) -> None:
    """`planner check SCENARIO DIR` of a `planner robust` folder: every sample's plan
    against its own scenario folder (verify_plan), then the robust tables against the
    scenario and those plans (planner.check.robust); exit 1 on a broken claim."""
    from .check.robust import check_robust_folder
    from .cli_common import fail
    from .plan.folder import not_a_scenario
    from .scenario import load_scenario
    from .verify import verify_plan

    if problem := not_a_scenario(scenario):
        fail(problem, 1)
    scn = load_scenario(scenario)
    problems = []
    plans = sorted({*folder.glob("samples/[0-9][0-9][0-9]/plan"),
                    *folder.glob("samples/[0-9][0-9][0-9]/deterministic/plan"),
                    *folder.glob("evaluation/[0-9][0-9][0-9]/*/plan")})
    for plan in plans:
        if not_a_scenario(plan.parent / "scenario"):
            continue  # told by the robust check (the re-plan's scenario folder)
        found = verify_plan(load_scenario(plan.parent / "scenario"), plan)
        where = plan.relative_to(folder).as_posix()
        problems += [f"[{v.rule}] {where}: {v.message}" for v in found]
    problems += [str(v) for v in check_robust_folder(scn, folder)]
    for line in problems:
        click.echo(line)
    if problems:
        fail(f"the robust plan in {folder} breaks {len(problems)} claim(s)", 1)
    click.echo(f"{folder}: the robust tables and summary.json hold for {scn.name}, and each "
               f"of the {len(plans)} re-plans satisfies every rule of its scenario")
