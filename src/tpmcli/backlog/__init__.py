"""A backlog loaded and validated, from the working tree or a git revision."""
