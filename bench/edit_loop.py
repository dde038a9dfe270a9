"""The edit loop as a person lives it: change one item, run ``tpm rank``, read the table.

Each round makes one change before the timed run, in turn:

- an item file edited: a new score, and a new size and mtime;
- the same file edited to the same size with its mtime set back (only its content and
  ctime change: a stat that trusted size and mtime alone would miss it);
- an item file added;
- that file deleted.

After each run (untimed) every item the loop touched is looked up in the table: it must
be at the rank its new score gives it (one more than the items that score higher; the
scores are chosen so that no two tie), and a deleted one must be gone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

#: The ranks the edited and added items are given, round by round (all in the top 50).
TARGET_RANKS = (3, 17, 8, 31, 1, 24, 12, 40, 5, 19)
#: A score's field is padded to this width, so that two scores' files are the same size.
SCORE_WIDTH = 12


class EditLoop:
    """The rounds' edits (``prepare``) and the check of each run's table (``verify``).

    ``scores``: every ranked item's score before the loop (from a ``--no-cache`` run);
    ``edited``: the item file the loop rewrites (its id is its file name's stem)."""

    def __init__(self, scores: Mapping[str, float], edited: Path) -> None:
        self.edited = edited
        self.original = edited.read_bytes()
        self.edited_id = edited.stem
        self.scores = {key: value for key, value in scores.items() if key != self.edited_id}
        self.added = edited.with_name("bench-added.yaml")
        self.round = 0
        self.comment = ""
        #: The items the loop changed, by id, with their score now (None: deleted).
        self.tracked: dict[str, float | None] = {}
        self.kinds: list[str] = []

    def prepare(self) -> None:
        kind = ("edited", "same size, mtime restored", "added", "deleted")[self.round % 4]
        self.round += 1
        self.kinds.append(kind)
        if kind == "deleted":
            self.added.unlink()
            self.tracked[self.added.stem] = None
            return
        changed = self.added.stem if kind == "added" else self.edited_id
        score = self._score_for(TARGET_RANKS[self.round % len(TARGET_RANKS)], changed)
        if kind == "added":
            self.added.write_text(_item_text("Added", self.round, score, ""), encoding="utf-8")
            self.tracked[self.added.stem] = score
            return
        if kind == "edited":
            self.comment = "# edited" + " again" * self.round + "\n"  # a new size
            self.edited.write_text(
                _item_text("Edited", self.round, score, self.comment), encoding="utf-8"
            )
        else:
            before = os.stat(self.edited)
            text = _item_text("Edited", self.round, score, self.comment).encode("utf-8")
            if len(text) != before.st_size:
                raise AssertionError("the same-size edit changed the size")
            self.edited.write_bytes(text)
            os.utime(self.edited, ns=(before.st_atime_ns, before.st_mtime_ns))
        self.tracked[self.edited_id] = score

    def verify(self, table: bytes) -> None:
        """Raise AssertionError unless every item the loop changed ranks where its score
        says (and a deleted one is absent)."""
        shown: dict[str, int] = {}
        for line in table.decode("utf-8").splitlines():
            cells = line.split()
            if len(cells) >= 2 and cells[0].isdigit():
                shown[cells[1]] = int(cells[0])
        for item_id, score in self.tracked.items():
            if score is None:
                if item_id in shown:
                    raise AssertionError(f"{item_id} was deleted but is still ranked")
                continue
            expected = 1 + sum(
                1 for other, value in self._current().items() if other != item_id and value > score
            )
            if shown.get(item_id) != expected:
                raise AssertionError(
                    f"after '{self.kinds[-1]}', {item_id} (score {score:g}) ranked "
                    f"{shown.get(item_id)}, expected {expected}"
                )

    def restore(self) -> None:
        self.edited.write_bytes(self.original)
        self.added.unlink(missing_ok=True)

    def _current(self) -> dict[str, float]:
        current = dict(self.scores)
        current.update({key: value for key, value in self.tracked.items() if value is not None})
        return current

    def _score_for(self, rank: int, item_id: str) -> float:
        """A whole score that ranks ``rank``-th among the other items, equal to none."""
        current = self._current()
        current.pop(item_id, None)
        others = sorted(current.values(), reverse=True)
        higher = others[rank - 2] if rank >= 2 else others[0] + 1000
        lower = others[rank - 1]
        for candidate in range(int(lower) + 1, int(higher) + 1):
            if lower < candidate < higher:
                return float(candidate)
        return self._score_for(rank + 1, item_id)  # no whole number between: the next gap


def _item_text(kind: str, round_: int, score: float, comment: str) -> str:
    return (
        f"{comment}title: {kind} item, round {round_:03d}\n"
        "status: planned\n"
        f"rice:\n  reach: {int(score):<{SCORE_WIDTH}}\n"
        "  impact: 1\n  confidence: 1\n  effort: 1\n"
    )
