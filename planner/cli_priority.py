"""`planner priority`: the ranked list of works (registered on the `planner` group by
planner.cli)."""

from __future__ import annotations

from pathlib import Path

import click

from .cli_common import friendly, with_solver_options
from .options import BudgetScale
from .progress import progress


class Levels(BudgetScale):
    """`auto` or START:STOP:STEP (planner sweep --budget-scale's)."""

    name = "auto|START:STOP:STEP"

    def convert(self, value, param, ctx):
        if isinstance(value, str) and value.strip().lower() == "auto":
            return "auto"
        return super().convert(value, param, ctx)


class Scales(click.ParamType):
    """Comma-separated scales: 0.7,0.85,1."""

    name = "S1,S2,..."

    def convert(self, value, param, ctx):
        if isinstance(value, list):
            return value
        try:
            return [float(x) for x in str(value).split(",") if x.strip()]
        except ValueError:
            self.fail(f"{value!r}: give scales separated by commas, e.g. 0.8,0.9,1", param,
                      ctx)


@click.command("priority")
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--levels", type=Levels(), default="auto", show_default=True,
              help="The budget levels, scales of every fund's amount: START:STOP:STEP (as "
                   "sweep --budget-scale), or auto: 8 levels from the least scale at which "
                   "the hard rules hold to 1.")
@click.option("--sample", type=Scales(), default=None,
              show_default="every second level down from the largest with a plan, at most 5",
              help="Levels at which the scenario is also solved without the nesting (the "
                   "optimum at that money), comma-separated.")
@click.option("--direction", type=click.Choice(["down", "up"]), default="down",
              show_default=True,
              help="down: the largest level first (the optimum at that money), each smaller "
                   "one chosen among the works of the one above; up: each level keeps the "
                   "works of the level below (locked in).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for priority.csv, priority_levels.csv and each level's scenario "
                   "and plan (levels/, optimum/).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
              show_default="scenario.yaml's lang, else en",
              help="Language of the tables and plans written: English (en) or Chinese (zh).")
@with_solver_options()
@friendly
def priority(scenario, levels, sample, direction, out, lang, solver):
    """A ranked list of works: funding it in order gives a good plan at every budget, and
    a larger budget never drops a work a smaller one funds."""
    from .outdir import precheck
    from .priority_list import SampleError, priority as rank
    from .scenario import load_scenario

    scn = load_scenario(scenario)
    precheck(out, scn.input_files)  # refused before the solves, not after
    if sample is not None and levels != "auto" and set(sample) - set(levels):
        raise click.BadParameter(f"{', '.join(f'{s:g}' for s in sorted(set(sample) - set(levels)))}"
                                 " is not one of the levels", param_hint="--sample")
    with progress("priority") as line:
        try:
            res = rank(scenario, out, levels, sample=sample, direction=direction, lang=lang,
                       progress=line if line.live else None, **solver)
        except SampleError as exc:
            raise click.BadParameter(str(exc), param_hint="--sample") from None
    if res.least is not None:
        click.echo(f"the hard rules hold from x{res.least:g} of the money: levels "
                   + ", ".join(f"x{s:g}" for s in res.levels["scale"]))
    click.echo(f"nested {res.direction}: " + ("each level keeps the works of the level "
               "below" if res.direction == "up" else "each level is chosen among the works "
               "of the level above"))
    cols = ["scale", "money", "status", "value", "works", "added", "optimum_value", "ratio",
            "batch_behind"]
    shown = res.levels[cols].astype(object)
    click.echo(shown.where(shown.notna(), "").to_string(index=False))
    for r in res.levels[res.levels["why"] != ""].itertuples():
        click.echo(f"x{r.scale:g}: {r.why}")
    cols = ["rank", "project_id", "village_name", "target", "pooled_cost",
            "cumulative_pooled_cost", "scale", "value"]
    click.echo(res.table[cols].head(20).to_string(index=False))
    if len(res.table) > 20:
        click.echo(f"... {len(res.table)} works in all")
    click.echo(f"written    {out}/priority.csv priority_levels.csv levels/ optimum/")
