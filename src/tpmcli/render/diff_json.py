"""A ranking diff as the stable JSON document of docs/diff.md (``schema_version`` 1)."""

from __future__ import annotations

from typing import Any

from tpmcli.errors import Problem
from tpmcli.ranking.diff import ItemChange, RankingDiff
from tpmcli.render.jsontext import dumps_indented, dumps_nested

SCHEMA_VERSION = 1

Lanes = dict[str, tuple[str | None, str | None]]


def diff_data(diff: RankingDiff) -> dict[str, Any]:
    """The stable JSON document of docs/diff.md (``schema_version`` 1)."""
    lanes = diff.lanes
    return {**_head_data(diff), "items": [_item_data(item, lanes) for item in diff.items]}


def _head_data(diff: RankingDiff) -> dict[str, Any]:
    """The document but its last key, the items."""
    return {
        "schema_version": SCHEMA_VERSION,
        "framework": diff.framework,
        "by": list(diff.by_after),
        "by_before": list(diff.by_before),
        "base": diff.base,
        "head": diff.head,
        "base_commit": diff.base_commit,
        "head_commit": diff.head_commit,
        "top": diff.top,
        "summary": {**diff.summary, "kendall_tau_b": diff.kendall_tau_b.value},
        "config_changes": list(diff.config_changes),
        "category_drops": [
            {"id": d.id, "title": d.title, "before": d.before, "after": d.after}
            for d in diff.category_drops
        ],
        "category_promotions": [
            {"id": p.id, "title": p.title, "before": p.before, "after": p.after}
            for p in diff.category_promotions
        ],
        **_invalid_data(diff),
    }


def _invalid_data(diff: RankingDiff) -> dict[str, Any]:
    """``invalid_before`` / ``invalid_after``, only for a side with invalid items (a
    valid backlog's document is as it always was); each BASE problem says whether HEAD
    fixes it (its file has no problem there)."""
    data: dict[str, Any] = {}
    if diff.invalid_before:
        fixed = set(diff.fixed)
        data["invalid_before"] = [
            {**_problem_data(problem), "fixed": problem in fixed} for problem in diff.invalid_before
        ]
    if diff.invalid_after:
        data["invalid_after"] = [_problem_data(problem) for problem in diff.invalid_after]
    return data


def _problem_data(problem: Problem) -> dict[str, Any]:
    return {
        "path": problem.path,
        "line": problem.line,
        "column": problem.column,
        "message": problem.message,
    }


def _item_data(item: ItemChange, lanes: Lanes | None = None) -> dict[str, Any]:
    """One item of the document (``_item_json`` writes the same as text: a property
    test holds the two together); ``lane_before``/``lane_after`` only with lanes."""
    data = {
        "id": item.id,
        "title": item.title,
        "change": item.change.value,
        "reason": item.reason.value if item.reason else None,
        "rank_before": item.rank_before,
        "rank_after": item.rank_after,
        "score_before": item.score_before.value if item.score_before else None,
        "score_after": item.score_after.value if item.score_after else None,
        "label_before": item.score_before.label if item.score_before else None,
        "label_after": item.score_after.label if item.score_after else None,
        "fields_changed": {key: list(pair) for key, pair in item.fields_changed.items()},
    }
    if lanes is not None:
        data["lane_before"], data["lane_after"] = lanes.get(item.id, (None, None))
    return data


def render_json(diff: RankingDiff) -> str:
    """``diff_data`` as indented JSON. The items are most of it (a diff of a large
    backlog lists thousands): each is written straight from its ItemChange, the very
    text ``dumps_indented`` gives for its ``_item_data``, without making that dict."""
    document = _head_data(diff)
    if not diff.items:
        return dumps_indented({**document, "items": []}) + "\n"
    head = dumps_indented(document)  # its last line is "}": the items go before it
    lanes = diff.lanes
    rows = ",\n    ".join([_item_json(item, lanes) for item in diff.items])
    return f'{head[:-2]},\n  "items": [\n    {rows}\n  ]\n}}\n'


#: Where an item's keys start: three levels deep (document, items, item).
_KEY = "\n      "


def _item_json(item: ItemChange, lanes: Lanes | None = None) -> str:
    """``_item_data(item, lanes)`` as ``dumps_indented`` writes it inside the items list."""
    before, after = item.score_before, item.score_after
    changed = item.fields_changed
    lane_keys = ""
    if lanes is not None:
        lane_before, lane_after = lanes.get(item.id, (None, None))
        lane_keys = (
            f',{_KEY}"lane_before": {dumps_nested(lane_before, 3)}'
            f',{_KEY}"lane_after": {dumps_nested(lane_after, 3)}'
        )
    return (
        f'{{{_KEY}"id": {dumps_nested(item.id, 3)},'
        f'{_KEY}"title": {dumps_nested(item.title, 3)},'
        f'{_KEY}"change": {dumps_nested(item.change.value, 3)},'
        f'{_KEY}"reason": {dumps_nested(item.reason.value if item.reason else None, 3)},'
        f'{_KEY}"rank_before": {dumps_nested(item.rank_before, 3)},'
        f'{_KEY}"rank_after": {dumps_nested(item.rank_after, 3)},'
        f'{_KEY}"score_before": {dumps_nested(before.value if before else None, 3)},'
        f'{_KEY}"score_after": {dumps_nested(after.value if after else None, 3)},'
        f'{_KEY}"label_before": {dumps_nested(before.label if before else None, 3)},'
        f'{_KEY}"label_after": {dumps_nested(after.label if after else None, 3)},'
        f'{_KEY}"fields_changed": {_fields_json(changed)}{lane_keys}\n    }}'
    )


def _fields_json(changed: dict[str, tuple[Any, Any]]) -> str:
    """An item's ``fields_changed`` (each pair as a list) inside the items list."""
    if not changed:
        return "{}"  # most items: unchanged, or moved because others did
    return dumps_nested({key: list(pair) for key, pair in changed.items()}, 3)
