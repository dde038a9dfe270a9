"""Caches that make repeated runs cheap: parsed files by content, snapshots of whole backlogs."""
