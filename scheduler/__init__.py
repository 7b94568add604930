"""Timers (APScheduler). SQLite is the source of truth: jobs are rebuilt from it at start."""
