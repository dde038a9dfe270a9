"""Editing item files byte for byte: assignments, item edits, ids for new items."""
