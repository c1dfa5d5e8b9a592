"""What every `planner` command shares: one message and an exit code instead of a
traceback (`friendly`), the solver options (`with_solver_options`), the summary print.
"""

from __future__ import annotations

import sys
import traceback
from functools import wraps
from pathlib import Path

import click

from models.backends import REGISTRY

from .errors import InputError
from .options import Bounded


def fail(message: str, code: int) -> None:
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
            fail(str(exc), 1)
        except PlanningError as exc:
            fail(str(exc), exc.exit_code)
        except BackendError as exc:
            fail(str(exc), 2)
        except KeyboardInterrupt:
            fail(interrupted_message(), 130)
    return wrapper


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


def print_summary(summary: dict, out: Path | None) -> None:
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
