"""One module per command: a request in, a report out. Nothing here prints."""
