"""`planner export-model SCENARIO FILE`: the integer program as a file other solvers
read (Gurobi, COPT, SCIP, CPLEX, HiGHS): `.mps` (free MPS) or `.lp` (CPLEX LP), written
by HiGHS with every row and column named by its family and index (models.backends.highs
`names`).

It is the program of the plan's value: the objective of `exit_priority: weighted`
(each gap's weight, the on-time bonus and penalties; models/formulation/).  Under the
lexicographic exit priority the planner solves this program after the batch stages,
with each batch's count kept as a floor, so the optimum of the file is then the
weighted rule's, not the plan's.
"""

from __future__ import annotations

from pathlib import Path

import click

from .cli_common import friendly

FORMATS = (".mps", ".lp")


def export(scenario: str | Path, path: str | Path) -> Path:
    """Write the program of `scenario` (a folder) to `path` (.mps or .lp)."""
    from models.backends.highs import write_model
    from models.formulation import build

    from .build import build_instance
    from .scenario import load_scenario

    path = Path(path)
    inst = build_instance(load_scenario(scenario))
    model, _ = build(inst, reduce=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_model(model, str(path))
    return path


@click.command("export-model")
@click.argument("scenario", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@friendly
def export_model(scenario, file):
    """Write the integer program of SCENARIO to FILE (.mps or .lp), rows and columns
    named, for another solver."""
    if file.suffix.lower() not in FORMATS:
        raise click.UsageError(f"FILE must end in {' or '.join(FORMATS)}: {file}")
    resolved = file.resolve()
    if Path(scenario).resolve() in resolved.parents:
        raise click.UsageError(f"FILE must not be inside the scenario folder {scenario}")
    out = export(scenario, file)
    click.echo(f"written    {out}")
