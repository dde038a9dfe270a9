"""The benchmark's rows of the later commands: tpm history, compare, roadmap (issue 17)
and simulate, each against its own baseline."""

from __future__ import annotations

from timing import Command, Row, ratio_row


def later_rows(
    history: tuple[Command, Command, int, int] | None,
    compare: tuple[Command, Command, Command, Command] | None,
    roadmap: tuple[Command, Command, Command, Command, Command, Command] | None,
    simulate: tuple[Command, Command] | None,
) -> list[Row]:
    """The rows of tpm history, compare, roadmap and simulate (None: not available)."""
    rows = []
    if history is not None:
        history_cold, history_rank_cold, commits, items = history
        goal = f"tpm history ID, {commits} commits of {items} items, cold"
        rows.append(ratio_row(goal, history_cold, history_rank_cold, 3))
        rows.append(
            Row(
                "peak memory, tpm history cold",
                f"{history_cold.peak_mib:.0f} MiB",
                "-",
                "-",
                "-",
                f"(rank: {history_rank_cold.peak_mib:.0f} MiB)",
                "-",
            )
        )
    else:
        goal = "tpm history ID, cold"
        rows.append(Row(goal, "n/a", "tpm rank (cold)", "n/a", "n/a", "≤ 3×", "not available"))
    if compare is not None:
        compare_cold, compare_warm, rank_cold, rank_warm = compare
        rows.append(ratio_row("(info) tpm compare rice wsjf, cold", compare_cold, rank_cold, None))
        rows.append(ratio_row("(info) tpm compare rice wsjf, warm", compare_warm, rank_warm, None))
    if roadmap is not None:
        roadmap_cold, roadmap_warm, rank_cold, rank_warm, roadmap_snapshot, rank_snapshot = roadmap
        rows += [
            ratio_row("(issue 17) tpm roadmap, cold", roadmap_cold, rank_cold, 1.2),
            ratio_row("(issue 17) tpm roadmap, warm", roadmap_warm, rank_warm, 1.2),
            ratio_row(
                "(info) tpm roadmap from the snapshot, not replayed",
                roadmap_snapshot,
                rank_snapshot,
                None,
            ),
        ]
    if simulate is not None:
        simulate_, numpy_floor = simulate
        rows += [
            ratio_row("tpm simulate, 1,000 ranged × 10,000 runs", simulate_, numpy_floor, 3),
            Row(
                "peak memory, tpm simulate",
                f"{simulate_.peak_mib:.0f} MiB",
                f"{numpy_floor.label} {numpy_floor.peak_mib:.0f} MiB",
                "-",
                "-",
                "(info)",
                "-",
            ),
        ]
    return rows
