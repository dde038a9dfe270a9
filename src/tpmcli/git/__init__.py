"""Git, read with plumbing: a revision's files without a checkout."""
