"""Moved to planner.plan.folder (the plan folder in one place); kept for imports."""

from .plan.folder import (  # noqa: F401
    KEY_COLUMNS,
    PLAN_FILES,
    SUMMARY_KEYS,
    PlanFolderError,
    check_made_from,
    check_plan_folder,
)
