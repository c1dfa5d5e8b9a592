"""The independent checker's entry point; the rules live in `planner.check`."""

from .check import Violation, verify_plan

__all__ = ["Violation", "verify_plan"]
