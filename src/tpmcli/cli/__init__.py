"""The command line: the Typer app and one module per command group; the only layer that prints."""
