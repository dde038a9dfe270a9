"""The data tpm works on: items, scores, rankings and what a command asks of the core."""
