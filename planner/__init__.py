"""village-planner: the application (files, scenarios, plans, checks, reports, CLI).

The Python API (planner.api, README "Use from Python"):

    import planner
    scn = planner.load_scenario("scenarios/tiny")
    p = planner.plan(scn, time_limit=10)
    p.stats.by_county()
"""

from importlib.metadata import PackageNotFoundError, version

from models.params import ParamsError, SolveParams

# the modules named like the functions below first: importing one later would rebind its
# name to the module (planner.plan is the plan's tables, planner.compare the command, ...)
from . import (  # noqa: F401
    compare as compare_command,
    needs as needs_command,
    plan as plan_tables,
    sweep as sweep_command,
)
from .api import (
    Comparison,
    Plan,
    Scenario,
    Stats,
    compare,
    load_scenario,
    needs,
    plan,
    priority,
    read_plan,
    sweep,
)
from .errors import InputError
from .pipeline import PlanningError, VerificationError

try:
    __version__ = version("village-planner")
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["Comparison", "InputError", "ParamsError", "Plan", "PlanningError", "Scenario",
           "SolveParams", "Stats", "VerificationError", "__version__", "compare",
           "load_scenario", "needs", "plan", "priority", "read_plan", "sweep"]
