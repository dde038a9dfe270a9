"""Ranking and the decision maths: rank, diff, fail-on conditions."""
