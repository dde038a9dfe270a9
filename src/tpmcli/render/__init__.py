"""Renderers: pure functions from results to strings (or, for tables, Rich renderables)."""
