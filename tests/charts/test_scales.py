"""cards.charts.scales: the numbers on a chart's axes and labels."""

import pytest

from cards.charts import compact_number, nice_ticks, tick_labels


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0, "0"),
        (0.25, "0.25"),
        (-2, "-2"),
        (12.5, "12.5"),
        (0.1 + 0.2, "0.3"),
        (500, "500"),
        (1200, "1.2k"),
        (1234, "1.234k"),
        (12346, "12.35k"),
        (-0.017711586081682884, "-0.01771"),
        (1.0, "1"),
        (999_999, "1M"),
        (2_500_000, "2.5M"),
        (7e9, "7B"),
        (3e-05, "3e-05"),
        (0.0005, "0.0005"),
        (1e15, "1e+15"),
        (-4.2e-07, "-4.2e-07"),
    ],
)
def test_compact_numbers(number, text):
    assert compact_number(number) == text


@pytest.mark.parametrize(
    ("low", "high"),
    [(0, 1), (0.3, 0.3), (0, 0), (-5, 17), (100.001, 100.004), (0, 3e-05), (1, 1200), (7, 7)],
)
def test_ticks_cover_the_range_with_distinct_labels(low, high):
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high and ticks[0] < ticks[-1]
    assert 2 <= len(ticks) <= 12
    labels = tick_labels(ticks)
    assert len(set(labels)) == len(labels)


def test_tick_labels_are_round():
    assert tick_labels(nice_ticks(0, 1)) == ["0", "0.25", "0.5", "0.75", "1"]
    assert tick_labels(nice_ticks(0, 4000)) == ["0", "1k", "2k", "3k", "4k"]
