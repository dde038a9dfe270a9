"""``PlacedItems``: a lane's items made as they are read, the same as their tuple."""

from __future__ import annotations

import pytest

from tpmcli.ranking.placed import Placed, PlacedItems

IDS = ("a", "b", "c", "d")
RANKS = (1, 2, 3, 4)
EFFORTS = (1.0, 2.5, 0.0, 8.0)


def items(positions: tuple[int, ...], over: bool = False) -> PlacedItems:
    return PlacedItems(IDS, RANKS, EFFORTS, positions, over)


def test_the_items_are_those_at_the_positions_in_their_order() -> None:
    placed = items((3, 0, 2))
    expected = (Placed("d", 4, 8.0, False), Placed("a", 1, 1.0, False), Placed("c", 3, 0.0, False))
    assert tuple(placed) == expected
    assert len(placed) == 3
    assert placed[0] == expected[0]
    assert placed[-1] == expected[-1]
    assert placed[1:] == expected[1:]
    assert placed[:50] == expected
    assert placed[::-1] == expected[::-1]
    with pytest.raises(IndexError):
        placed[3]


def test_equal_to_the_tuple_of_its_items_and_hashed_as_it() -> None:
    placed = items((1,), over=True)
    assert placed == (Placed("b", 2, 2.5, True),)
    assert (Placed("b", 2, 2.5, True),) == placed
    assert placed == items((1,), over=True)
    assert placed != items((1,))
    assert placed != items((0,), over=True)
    assert placed != [Placed("b", 2, 2.5, True)]
    assert hash(placed) == hash((Placed("b", 2, 2.5, True),))
    assert repr(placed) == "(Placed(id='b', rank=2, effort=2.5, over_capacity=True),)"


def test_no_positions_is_the_empty_tuple() -> None:
    assert items(()) == ()
    assert not items(())
    assert list(items(())) == []
