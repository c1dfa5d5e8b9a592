"""village-planner: the application (files, scenarios, plans, checks, reports, CLI)."""
