"""The what-if commands of `planner`: compare, sweep, needs, replan, alternatives,
explain (registered on the `planner` group by planner.cli)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from models.money import fmt

from .cli_common import fail, friendly, print_summary, with_solver_options
from .options import MAX_ALTERNATIVES, MAX_TOP, BudgetScale
from .progress import progress


def lang_option(default: str):
    """--lang of a what-if command: the language of the tables it writes (as planner solve
    --lang: English headers and codes, or Chinese headers with units, names and 是/否)."""
    return click.option("--lang", type=click.Choice(["en", "zh"]), default=None,
                        show_default=f"{default}, else en",
                        help="Language of the tables written: English (en) or Chinese (zh).")


@click.command()
@click.argument("items", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for compare.csv, compare_changes.csv, compare.xlsx (and the plans "
                   "of scenarios solved here).")
@lang_option("the first plan's or scenario's language")
@with_solver_options()
@friendly
def compare(items, out, lang, solver):
    """Plans side by side: each ITEM is a plan folder or a scenario (solved first)."""
    import tempfile
    from contextlib import nullcontext

    from models.params import SolveParams

    from .compare import compare as compare_plans, load_plan, target_names_of, write_compare
    from .outdir import output_folder
    from .pipeline import plan_scenario
    from .plan.folder import check_plan_folder
    from .plan.lang import whatif_lang
    from .scenario import load_scenario

    scenarios = {i: load_scenario(item) for i, item in enumerate(items)
                 if (item / "scenario.yaml").is_file() and not (item / "summary.json").exists()}
    said = {}  # each plan folder's language (summary.json lang)
    for i, item in enumerate(items):
        if i not in scenarios:
            said[i] = check_plan_folder(item).get("lang")
    # the tables in --lang, else the first item's language; each plan solved here in
    # --lang, else its scenario's
    words = lang or (scenarios[0].lang if 0 in scenarios else said.get(0))
    words = words if words in ("en", "zh") else "en"
    inputs = [items[i] for i in range(len(items)) if i not in scenarios] + [
        f for scn in scenarios.values() for f in scn.input_files]
    from models.budget import TimeBudget

    # one time limit for the command, shared by the scenarios it solves
    budget = TimeBudget(solver.get("time_limit") or min(
        [SolveParams.merged(scn.solver).time_limit for scn in scenarios.values()] or [None]))
    to_solve = [len(scenarios)]
    with (output_folder(out, "planner compare", inputs) if out else nullcontext()) as stage, \
            tempfile.TemporaryDirectory() as tmp, progress("compare") as line:
        plans = []
        for i, item in enumerate(items):
            if i not in scenarios:
                plans.append(load_plan(item))
                continue
            target = Path(stage or tmp) / f"{i + 1}-{item.resolve().name}"
            line.update(f"solving {item} ({len(scenarios) - to_solve[0] + 1}/{len(scenarios)})")
            share = budget.share(1 / max(1, to_solve[0]))
            to_solve[0] -= 1
            plan_scenario(scenarios[i], target, progress=line if line.live else False,
                          lang=lang, **{**solver, "time_limit": share})
            plans.append(load_plan(target, name=item.resolve().name))
        table, diff = compare_plans(plans)
        if out:
            write_compare(table, diff, stage, lang=whatif_lang(words, target_names_of(plans)))
    click.echo(table.to_string(index=False, max_rows=80))
    if len(diff):
        click.echo("")
        summary = diff.groupby(["plan", "change"]).size().reset_index(name="count")
        click.echo(summary.to_string(index=False))
    if out:
        click.echo(f"written    {out}/compare.csv compare_changes.csv compare.xlsx")


@click.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--budget-scale", "scales", type=BudgetScale(), required=True,
              help="START:STOP:STEP, e.g. 0.5:1.5:0.1 (at most 1,000 points, scales <= 1000)")
@click.option("--stream", default=None, help="Scale only this stream (default: all).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for sweep.csv and sweep.png.")
@lang_option("scenario.yaml's lang")
@with_solver_options("scheduler")
@friendly
def sweep(scenario, scales, stream, out, lang, solver):
    """The budget-coverage curve: sweep.csv and sweep.png, solves in parallel on Dask."""
    from .outdir import output_folder, precheck
    from .plan.lang import scenario_target_names, whatif_lang, write_whatif
    from .scenario import load_scenario
    from .sweep import plot_sweep, run_sweep

    scn = load_scenario(scenario)  # bad input is reported before any worker starts
    lang = lang or scn.lang
    if stream and stream not in set(scn.funds["stream"]):
        raise click.BadParameter(f"unknown stream {stream!r}; streams: "
                                 f"{', '.join(sorted(set(scn.funds['stream'])))}",
                                 param_hint="--stream")

    precheck(out, scn.input_files)  # refused before the solves, not after
    with progress("sweep") as line:
        line.update(f"0/{len(scales)} points solved")

        def point_done(row, done, total):
            what = row.get("error") or f"value {row.get('value'):.4f}"
            line.update(f"{done}/{total} points solved (scale {row['scale']:g}: {what})")

        frame = run_sweep(scenario, scales, stream=stream, on_result=point_done, lang=lang,
                          **solver)
    with output_folder(out, "planner sweep", scn.input_files) as stage:
        words = whatif_lang(lang, scenario_target_names(scn))
        write_whatif(frame, "sweep", words, stage / "sweep.csv")
        plot_sweep(frame, stage / "sweep.png", words.word("sweep_title", scenario=scn.name)
                   + (f" ({words.stream(stream)})" if stream else ""), words)
    click.echo(frame.drop(columns="why").to_string(index=False))
    for r in frame[frame["why"] != ""].itertuples():
        click.echo(f"scale {r.scale:g}: no plan: {r.why}")
    click.echo(f"written    {out}/sweep.csv sweep.png")


@click.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for needs.csv and needs.json (default: print only).")
@lang_option("scenario.yaml's lang")
@with_solver_options()
@friendly
def needs(scenario, out, lang, solver):
    """The least money meeting every exit standard and deadline, and the funding gap."""
    from .needs import needs as compute_needs
    from .outdir import output_folder, precheck
    from .plan.lang import scenario_target_names, whatif_lang, write_whatif
    from .scenario import load_scenario

    scn = load_scenario(scenario)
    lang = lang or scn.lang
    if out:
        precheck(out, scn.input_files)  # refused before the solves, not after
    with progress("needs") as line:
        try:
            table, summary = compute_needs(scn, progress=line if line.live else None,
                                           lang=lang, **solver)
        except RuntimeError as exc:
            fail(str(exc), 1)
    impossible = table[~table["kind"].isin(["total", "money"])]
    for r in impossible.itertuples():
        what = f"{r.village_id} {r.village_name} ({r.county}) {r.target}: " if r.village_id else ""
        click.echo(f"left out, no money makes it hold: {what}{r.reason}", err=True)
    click.echo(f"least money for every exit standard and deadline: "
               f"{fmt(summary['least_total_money'])} (available {fmt(summary['money_available'])})")
    if summary["funding_gap_total"] is None:
        click.echo(f"funding gap: no plan found even with extra money ({summary['status_gap']})")
    else:
        click.echo(f"funding gap with the money as it is: {fmt(summary['funding_gap_total'])} "
                   "(the least extra money)")
        click.echo("split by stream and year by this rule: " + summary["funding_gap_rule"])
        click.echo("other splits cost the same: funding_gap_min..funding_gap_max per stream-year"
                   if not summary["funding_gap_split_unique"] else
                   "no other split of the same works costs the same")
    cols = ["stream", "county", "year", "budget", "funding_gap", "needed", "funding_gap_min",
            "funding_gap_max", "marginal_value"]
    click.echo(table.loc[table["kind"] == "money", cols].to_string(index=False))
    click.echo(f"marginal value: {summary['marginal_value_source']}")
    if out:
        with output_folder(out, "planner needs", scn.input_files) as stage:
            words = whatif_lang(lang, scenario_target_names(scn))
            write_whatif(table, "needs", words, stage / "needs.csv")
            (stage / "needs.json").write_text(json.dumps(
                {**summary, "lang": lang}, ensure_ascii=False, indent=2), encoding="utf-8")
        click.echo(f"written    {out}/needs.csv needs.json")


@click.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--actuals", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="CSV/xlsx: project_id, start_year [, cost] of executed works.")
@click.option("--from", "from_year", type=int, required=True, help="First year to re-plan.")
@click.option("--stable", is_flag=True, help="Keep as many previous decisions as possible.")
@click.option("--previous", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="The previous plan folder (default: the scenario re-solved).")
@click.option("--actual-funds", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="CSV: stream, year, amount [, county]: real fund amounts.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the re-plan and its changes.csv.")
@lang_option("scenario.yaml's lang")
@with_solver_options()
@friendly
def replan(scenario, actuals, from_year, stable, previous, actual_funds, out, lang, solver):
    """Re-plan the years from --from around what was executed."""
    from .outdir import precheck
    from .replan import replan as do_replan

    precheck(out, [p for p in (scenario, actuals, previous, actual_funds) if p is not None])
    with progress("replan") as line:
        res = do_replan(scenario, actuals, from_year, out, stable=stable, previous=previous,
                        actual_funds=actual_funds, progress=line if line.live else None,
                        warn=lambda text: line.echo(f"warning: {text}"), lang=lang, **solver)
    print_summary(res.outcome.plan.summary, out)
    counts = res.changes["change"].value_counts().to_dict()
    click.echo(f"changes    {len(res.changes)} decision(s) differ from the previous plan "
               f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items())) or 'none'}); "
               f"stability: {res.stable}")
    click.echo(f"           {out}/changes.csv")


@click.command()
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--count", type=click.IntRange(min=1, max=MAX_ALTERNATIVES), default=3,
              show_default=True, help="How many near-optimal plans, the first the optimum.")
@click.option("--within", default="1%", show_default=True,
              help="Tolerance to the optimum, e.g. 1% or 0.01.")
@click.option("--top", type=click.IntRange(min=0, max=MAX_TOP), default=10, show_default=True,
              help="Importance is re-solved for this many of the most expensive works (the "
                   "works a deadline or a lock requires are listed on the way, unsolved).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for one plan folder per alternative, alternatives.csv, "
                   "alternatives_changes.csv and importance.csv.")
@lang_option("scenario.yaml's lang")
@with_solver_options()
@friendly
def alternatives(scenario, count, within, top, out, lang, solver):
    """K near-optimal plans that differ most, and each work's importance."""
    from .alternatives import alternatives as find, parse_tolerance

    try:
        tol = parse_tolerance(within)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--within") from None
    with progress("alternatives") as line:
        res = find(scenario, count, tol, out, top=top, progress=line if line.live else None,
                   lang=lang, **solver)
    cols = ["plan", "value", "vs_best", "villages_on_time", "projects", "added", "dropped",
            "moved"]
    click.echo(res.table[cols].to_string(index=False))
    if len(res.plans) < count:
        click.echo(f"only {len(res.plans)} distinct plan(s) lie within {within} of the optimum")
    click.echo("")
    click.echo("importance (value lost without the work):")
    cols = ["project_id", "village_name", "target", "pooled_cost", "importance", "status",
            "reason"]
    shown = res.importance[cols].astype(object)
    click.echo(shown.where(shown.notna(), "").to_string(index=False, max_colwidth=70))
    click.echo(f"written    {out}/plan-1 .. plan-{len(res.plans)}, alternatives.csv, "
               "alternatives_changes.csv, importance.csv")


@click.command()
@click.argument("plan_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--village", required=True, help="village_id")
@click.option("--target", default=None, help="One target code (default: every gap of the village).")
@click.option("--scenario", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="The plan's scenario (default: read from summary.json).")
@with_solver_options()
@friendly
def explain(plan_dir, village, target, scenario, solver):
    """Why a village's gap stays open or closes late, with a re-solve that forces it in."""
    from .explain import explain as why, scenario_folder
    from .plan.folder import check_plan_folder

    summary = check_plan_folder(plan_dir)  # whole, and made from the scenario used
    check_plan_folder(plan_dir, scenario or scenario_folder(plan_dir, summary))
    for line in why(plan_dir, village, target, scenario=scenario, **solver):
        click.echo(line)


COMMANDS = (compare, sweep, needs, replan, alternatives, explain)
