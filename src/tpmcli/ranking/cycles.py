"""The dependency cycle a roadmap refuses to plan, named the same way for the same input.

Standard library only, like ``lanes``, which calls it when its topological order gets
stuck: the cycle through the best-ranked item on any cycle, found with Tarjan's
strongly connected components and a breadth-first search inside that item's component.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence


def find_cycle(
    ids: Sequence[str], dependencies: Mapping[str, Sequence[str]]
) -> tuple[str, ...] | None:
    """A dependency cycle among ``ids`` (best-ranked first), or None. It starts and ends at
    the best-ranked item that lies on any cycle and is the shortest way back to it,
    following each item's dependencies in the order they are written; so the same input
    always names the same cycle, and only items that really are on it."""
    components = _strongly_connected(ids, dependencies)
    for start in ids:
        component = components[start]
        if len(component) > 1 or start in dependencies[start]:
            return _shortest_cycle(start, component, dependencies)
    return None


def _strongly_connected(
    ids: Sequence[str], dependencies: Mapping[str, Sequence[str]]
) -> dict[str, frozenset[str]]:
    """Tarjan's algorithm, iterative: a backlog's dependency chain can be longer than
    Python's recursion limit."""
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    component_of: dict[str, frozenset[str]] = {}

    def visit(node: str) -> None:
        index_of[node] = low[node] = len(index_of)
        stack.append(node)
        on_stack.add(node)

    for root in ids:
        if root in index_of:
            continue
        visit(root)
        work = [(root, iter(dependencies[root]))]
        while work:
            node, pending = work[-1]
            descended = False
            for dependency in pending:
                if dependency not in index_of:
                    visit(dependency)
                    work.append((dependency, iter(dependencies[dependency])))
                    descended = True
                    break
                if dependency in on_stack:
                    low[node] = min(low[node], index_of[dependency])
            if descended:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index_of[node]:
                members: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                component = frozenset(members)
                for member in members:
                    component_of[member] = component
    return component_of


def _shortest_cycle(
    start: str, component: frozenset[str], dependencies: Mapping[str, Sequence[str]]
) -> tuple[str, ...]:
    """Breadth-first from ``start`` back to it, inside its strongly connected component
    (every member reaches every other, so the search cannot miss)."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for dependency in dependencies[node]:
            if dependency == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return (*reversed(path), start)
            if dependency in component and dependency not in came_from:
                came_from[dependency] = node
                queue.append(dependency)
    raise AssertionError(f"{start!r} is on no cycle of its component")
