"""Why ``--status``, ``--tag`` or ``--owner`` left nothing to rank, said in one sentence.

An empty ranking after a filter is almost always a typo (``--tag nosuchtag``) or a
filter that meets only items of excluded statuses: "No items to rank." would hide which.
Plain values in, so that the full path and a warm run from a snapshot say the same.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from tpmcli.model.requests import RankRequest, ranked_by_request


def unmatched_filter(
    request: RankRequest,
    excluded: Collection[str],
    statuses: Sequence[str],
    tags: Sequence[Sequence[str]],
    owners: Sequence[str | None],
) -> str | None:
    """Which filter of ``request`` matched no item of the backlog (item ``i`` has
    ``statuses[i]``, ``tags[i]``, ``owners[i]``), with a did-you-mean of the values the
    backlog has; None when no filter was given or some item matches them all."""
    if not (request.statuses or request.tags or request.owners):
        return None
    ranked = ranked_by_request(request, excluded)
    count = len(statuses)
    if any(ranked(statuses[i], tags[i], owners[i]) for i in range(count)):
        return None
    chosen, skipped = set(request.statuses), set(excluded)
    kept = [
        i for i in range(count) if (statuses[i] in chosen if chosen else statuses[i] not in skipped)
    ]
    if request.statuses and not kept:
        return f"no item has {_named('status', request.statuses)}"
    owned = [() if owner is None else (owner,) for owner in owners]
    checks: list[tuple[str, tuple[str, ...], Sequence[Sequence[str]]]] = [
        ("tag", request.tags, tags),
        ("owner", request.owners, owned),
    ]
    for kind, wanted, values in checks:
        if not wanted:
            continue
        among = {value for i in kept for value in values[i]}
        if not among.isdisjoint(wanted):
            continue
        anywhere = {value for item_values in values for value in item_values}
        if anywhere.isdisjoint(wanted):
            from tpmcli.project.located import suggest  # only here: it loads pydantic

            hint = suggest(wanted[0], sorted(anywhere))
            return f"no item has {_named(kind, wanted)}{hint}"
        have = sorted({statuses[i] for i in range(count) if not set(values[i]).isdisjoint(wanted)})
        return (
            f"no item ranked has {_named(kind, wanted)}: only items with the status "
            f"{' or '.join(have)} have it (--status selects them)"
        )
    filters = (("status", request.statuses), ("tag", request.tags), ("owner", request.owners))
    given = [f"--{kind} {' '.join(values)}" for kind, values in filters if values]
    return f"no item matches {' and '.join(given)} together"


def _named(kind: str, values: Sequence[str]) -> str:
    """``the tag 'a'``, or ``any of the tags 'a', 'b'``."""
    quoted = ", ".join(repr(value) for value in values)
    plural = "statuses" if kind == "status" else f"{kind}s"
    return f"the {kind} {quoted}" if len(values) == 1 else f"any of the {plural} {quoted}"
