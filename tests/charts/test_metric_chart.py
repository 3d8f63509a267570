"""The card page's SVG charts: what a reader sees in bar charts, line graphs and heat maps."""

import math
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import SafeString

from cards.charts import heat_colour, metric_chart
from cards.models import ModelCard
from tests.factories import load_json, make_card

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """The SVG as an XML tree: it must be well-formed, or this raises."""
    return ET.fromstring(svg)  # noqa: S314 - our own output, and no DTD in it


def draw(metric: dict) -> ET.Element:
    svg = metric_chart(metric)
    assert isinstance(svg, SafeString)
    return parse(str(svg))


def texts(element: ET.Element, path: str) -> list[str]:
    """What the matching elements show, wrapped lines (<tspan>) joined by spaces (not their
    <title> tooltips)."""
    return [
        " ".join(filter(None, [found.text, *(t.text for t in found.findall("svg:tspan", NS))]))
        for found in element.findall(path, NS)
    ]


def own_text(element: ET.Element) -> str:
    """An element's text without its <title> child (a tooltip is not what is drawn)."""
    return element.text or ""


def luminance(colour: str) -> int:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return red * 299 + green * 587 + blue * 114


BAR = {
    "name": "data_distribution - feature=Animal",
    "type": "bar_chart",
    "value": [0.1, 0.11, 0.245, 0.06],
    "x_axis_name": ["Cat", "Dog", "Horse", "Bird"],
    "y_axis_name": "Data distribution",
}
ROC = {
    "name": "receiver_operating_characteristic_curve",
    "type": "linear_graph",
    "value": [[0, 0], [0, 0.25], [0, 0.5], [0, 0.75], [0, 1], [1, 1]],
    "x_axis_name": "false_positive_rates",
    "y_axis_name": "true_positive_rates",
}
MATRIX = {
    "name": "confusion_matrix",
    "type": "matrix",
    "value": [[1180, 510], [268, 138]],
    "x_axis_name": ["0", "1"],
    "y_axis_name": ["0", "1"],
}


# --- the SVG as a whole -----------------------------------------------------------------------


@pytest.mark.parametrize("metric", [BAR, ROC, MATRIX], ids=lambda m: m["type"])
def test_a_chart_is_an_accessible_svg_that_scales(metric):
    svg = draw(metric)
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.get("aria-label") == metric["name"]
    assert svg.find("svg:title", NS).text == metric["name"]  # its accessible name
    assert svg.find("svg:desc", NS).text  # and a one-line summary
    _, _, width, height = (float(n) for n in svg.get("viewBox").split())
    assert width == 480 and 100 <= height <= 380
    assert svg.get("width") is None and svg.get("height") is None  # CSS sizes it
    assert "chart" in svg.get("class").split()


@pytest.mark.parametrize("metric", [BAR, ROC, MATRIX], ids=lambda m: m["type"])
def test_a_chart_has_no_style_attributes(metric):
    # The Content-Security-Policy forbids inline styles: presentation attributes only.
    assert all(element.get("style") is None for element in draw(metric).iter())


def test_simple_metrics_are_not_charts():
    for kind, value in [("number", 0.9), ("string", "ok"), ("boolean", True)]:
        assert metric_chart({"name": "m", "type": kind, "value": value}) is None


# --- bar charts -------------------------------------------------------------------------------


def test_a_bar_chart_has_a_bar_per_value_with_its_label_and_a_tooltip():
    svg = draw(BAR)
    bars = svg.findall(".//svg:g[@class='bar']", NS)
    assert len(bars) == 4
    assert [own_text(bar.find("svg:text[@class='label']", NS)) for bar in bars] == [
        "Cat",
        "Dog",
        "Horse",
        "Bird",
    ]
    assert [bar.find("svg:title", NS).text for bar in bars] == [
        "Cat: 0.1",
        "Dog: 0.11",
        "Horse: 0.245",
        "Bird: 0.06",
    ]
    heights = [float(bar.find("svg:rect", NS).get("height")) for bar in bars]
    assert heights.index(max(heights)) == 2 and heights.index(min(heights)) == 3
    assert heights[2] / heights[0] == pytest.approx(2.45, rel=0.02)
    assert "Data distribution" in texts(svg, ".//svg:text[@class='axis-title']")[0]
    ticks = texts(svg, ".//svg:text[@class='tick']")
    assert 3 <= len(ticks) <= 8 and "0" in ticks


def test_negative_bars_hang_below_the_zero_line():
    svg = draw({"name": "shap", "type": "bar_chart", "value": [2, -1], "x_axis_name": ["a", "b"]})
    up, down = (bar.find("svg:rect", NS) for bar in svg.findall(".//svg:g[@class='bar']", NS))
    zero = float(up.get("y")) + float(up.get("height"))
    assert float(down.get("y")) == pytest.approx(zero)
    assert float(up.get("height")) == pytest.approx(2 * float(down.get("height")), rel=0.02)
    assert any(label.startswith("-") for label in texts(svg, ".//svg:text[@class='tick']"))


def test_bars_without_a_list_of_labels_are_numbered_and_the_string_is_the_axis_title():
    svg = draw({"name": "lift", "type": "bar_chart", "value": [3, 2, 1], "x_axis_name": "decile"})
    labels = [own_text(t) for t in svg.findall(".//svg:g/svg:text[@class='label']", NS)]
    assert labels == ["1", "2", "3"]
    assert "decile" in texts(svg, ".//svg:text[@class='axis-title']")


def test_long_bar_labels_are_slanted_and_truncated_but_whole_in_the_tooltip():
    names = [f"a_feature_with_a_very_long_name_{i}" for i in range(12)]
    svg = draw(
        {"name": "shap", "type": "bar_chart", "value": list(range(12)), "x_axis_name": names}
    )
    bars = svg.findall(".//svg:g[@class='bar']", NS)
    assert [bar.find("svg:title", NS).text.split(":")[0] for bar in bars] == names
    labels = [bar.find("svg:text[@class='label']", NS) for bar in bars]
    shown = [label for label in labels if label is not None]
    assert shown and all("rotate(-45" in label.get("transform") for label in shown)
    assert all(own_text(label).endswith("…") and len(own_text(label)) <= 16 for label in shown)


def test_many_bars_still_get_a_bar_each():
    svg = draw({"name": "many", "type": "bar_chart", "value": [float(i) for i in range(200)]})
    assert len(svg.findall(".//svg:g[@class='bar']", NS)) == 200


# --- line graphs ------------------------------------------------------------------------------


def vertices(svg: ET.Element) -> list[tuple[float, float]]:
    line = svg.find(".//svg:polyline", NS)
    return [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]


def test_a_line_graph_has_one_vertex_per_point_in_order():
    svg = draw(ROC)
    points = vertices(svg)
    assert len(points) == 6
    xs, ys = zip(*points, strict=True)
    assert len(set(xs[:5])) == 1 and xs[5] > xs[0]  # x = 0 five times, then 1
    assert list(ys[:5]) == sorted(ys[:5], reverse=True)  # higher y is further up the page
    markers = svg.findall(".//svg:circle", NS)
    assert len(markers) == 6
    assert markers[1].find("svg:title", NS).text == (
        "false_positive_rates 0, true_positive_rates 0.25"
    )
    titles = texts(svg, ".//svg:text[@class='axis-title']")
    assert any("false_positive_rates" in t for t in titles)
    assert any("true_positive_rates" in t for t in titles)
    assert {"0", "0.5", "1"} <= set(texts(svg, ".//svg:text[@class='tick']"))


def test_a_long_curve_is_drawn_without_a_marker_per_point():
    value = [[i / 999, math.sqrt(i / 999)] for i in range(1000)]
    svg = draw({"name": "roc", "type": "linear_graph", "value": value})
    assert len(vertices(svg)) == 1000
    assert svg.findall(".//svg:circle", NS) == []


@pytest.mark.parametrize(
    "value",
    [
        [[3, 7]],  # a single point
        [[1, 5], [2, 5], [3, 5]],  # a flat line
        [[0, 0], [0, 0]],  # the same point twice
        [[-5, -1e-3], [5, -2e-3]],  # negative values
        [[1e12, 3e-05], [2e12, 9e-05]],  # huge and tiny
        [[1e15, 1], [1e15 + 1, 2]],  # a range lost in the numbers' precision
        [[-1e299, 1e299], [1e299, -1e299]],  # the widest range that can be drawn
    ],
)
def test_degenerate_ranges_still_draw_inside_the_chart(value):
    svg = draw({"name": "edge", "type": "linear_graph", "value": value})
    points = vertices(svg)
    assert len(points) == len(value)
    _, _, width, height = (float(n) for n in svg.get("viewBox").split())
    assert all(0 <= x <= width and 0 <= y <= height for x, y in points)
    ticks = texts(svg, ".//svg:text[@class='tick']")
    assert len(ticks) >= 4 and all(len(tick) <= 8 for tick in ticks)


# --- matrices ---------------------------------------------------------------------------------


def cells(svg: ET.Element) -> list[ET.Element]:
    return svg.findall(".//svg:g[@class='cell']", NS)


def test_a_matrix_has_a_cell_per_entry_with_its_number():
    svg = draw(MATRIX)
    found = cells(svg)
    assert len(found) == 4
    assert [cell.find("svg:text", NS).text for cell in found] == ["1180", "510", "268", "138"]
    # Rows are the x axis names, columns the y axis names, as SageMaker stores them.
    assert found[1].find("svg:title", NS).text == "row 0, column 1: 510"


def test_a_matrix_shows_the_cards_own_axis_names_and_invents_none():
    metric = {**MATRIX, "x_axis_name": ["fraud", "legit"], "y_axis_name": ["flagged", "passed"]}
    svg = draw(metric)
    shown = " ".join(texts(svg, ".//svg:text"))
    assert "fraud" in shown and "flagged" in shown
    assert "Actual" not in shown and "Predicted" not in shown
    titles = [cell.find("svg:title", NS).text for cell in cells(svg)]
    assert titles[1] == "row fraud, column passed: 510"


def test_the_heat_colour_gets_darker_for_larger_values():
    value = [[5, 1, 3], [0, 9, 2], [7, 4, 6]]
    svg = draw({"name": "m", "type": "matrix", "value": value})
    fills = [cell.find("svg:rect", NS).get("fill") for cell in cells(svg)]
    flat = [number for row in value for number in row]
    by_value = [fill for _, fill in sorted(zip(flat, fills, strict=True))]
    darkness = [luminance(fill) for fill in by_value]
    assert darkness == sorted(darkness, reverse=True) and len(set(darkness)) == 9
    # numbers on dark cells are white so they can be read
    text_fills = {
        n: c.find("svg:text", NS).get("fill") for n, c in zip(flat, cells(svg), strict=True)
    }
    assert text_fills[9] == "#fff" and text_fills[0] != "#fff"
    assert luminance(heat_colour(0)) > luminance(heat_colour(0.5)) > luminance(heat_colour(1))


def test_a_twenty_by_twenty_matrix_fits_and_gets_a_wide_chart():
    value = [[r * 20 + c for c in range(20)] for r in range(20)]
    names = [f"class-number-{i}" for i in range(20)]
    svg = draw(
        {"name": "m", "type": "matrix", "value": value, "x_axis_name": names, "y_axis_name": names}
    )
    assert len(cells(svg)) == 400
    assert "chart-wide" in svg.get("class").split()
    _, _, width, height = (float(n) for n in svg.get("viewBox").split())
    for cell in cells(svg):
        rect = cell.find("svg:rect", NS)
        assert float(rect.get("x")) + float(rect.get("width")) <= width
        assert float(rect.get("y")) + float(rect.get("height")) <= height


def test_a_matrix_of_equal_values_or_floats_still_draws():
    svg = draw({"name": "m", "type": "matrix", "value": [[0.5, 0.5], [0.5, 0.5]]})
    assert [c.find("svg:text", NS).text for c in cells(svg)] == ["0.5"] * 4
    assert len({c.find("svg:rect", NS).get("fill") for c in cells(svg)}) == 1
    svg = draw({"name": "m", "type": "matrix", "value": [[1.5e6, -0.25, 3e-05]]})
    assert [c.find("svg:text", NS).text for c in cells(svg)] == ["1.5M", "-0.25", "3e-05"]


# --- hostile text -----------------------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '"onload="alert(1)',
    "' onmouseover='alert(1)",
    "]]><x/>&amp;",
    "nul\x00and\x0bcontrol",
    "lone \ud800 surrogate",
]


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_come_out_inert(label):
    metrics = [
        {
            "name": label,
            "type": "bar_chart",
            "value": [1, 2],
            "x_axis_name": [label, "b"],
            "y_axis_name": label,
        },
        {
            "name": label,
            "type": "linear_graph",
            "value": [[0, 1], [1, 2]],
            "x_axis_name": label,
            "y_axis_name": label,
        },
        {
            "name": label,
            "type": "matrix",
            "value": [[1, 2], [3, 4]],
            "x_axis_name": [label, "b"],
            "y_axis_name": label,
        },
    ]
    for metric in metrics:
        raw = str(metric_chart(metric))
        raw.encode()  # can be sent as UTF-8
        assert "<script" not in raw and "<x/>" not in raw
        svg = parse(raw)
        for element in svg.iter():
            assert element.tag.startswith(SVG)
            assert element.tag not in {f"{SVG}script", f"{SVG}foreignObject"}
            assert not any(name.lower().startswith("on") for name in element.attrib)
        shown = "".join(svg.itertext())
        if label.isprintable():
            assert label in shown  # the reader sees the label as it was written


def test_names_that_are_not_text_are_ignored():
    svg = draw(
        {
            "name": {"nested": "<b>"},
            "type": "bar_chart",
            "value": [1, 2],
            "x_axis_name": [["x"], None],
            "y_axis_name": 7,
        }
    )
    assert svg.find("svg:title", NS).text == "Bar chart"
    assert [own_text(t) for t in svg.findall(".//svg:g/svg:text[@class='label']", NS)] == [
        "1",
        "2",
    ]


# --- shapes that cannot be drawn --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("bar_chart", []),
        ("bar_chart", None),
        ("bar_chart", 3),
        ("bar_chart", "1, 2"),
        ("bar_chart", {"a": 1}),
        ("bar_chart", [1, "2"]),
        ("bar_chart", [1, None]),
        ("bar_chart", [True, False]),
        ("bar_chart", [1, [2]]),
        ("bar_chart", [1, float("nan")]),
        ("bar_chart", [1, float("inf")]),
        ("bar_chart", [1e308, -1e308]),
        ("bar_chart", list(range(501))),
        ("linear_graph", []),
        ("linear_graph", [1, 2, 3]),
        ("linear_graph", [[1, 2], [3]]),
        ("linear_graph", [[1, 2, 3]]),
        ("linear_graph", [[1, "2"]]),
        ("linear_graph", [[None, 2]]),
        ("linear_graph", [{"x": 1, "y": 2}]),
        ("linear_graph", [[1, float("nan")]]),
        ("linear_graph", "[[0, 1]]"),
        ("matrix", []),
        ("matrix", [[]]),
        ("matrix", [1, 2]),
        ("matrix", [[1, 2], [3]]),  # ragged
        ("matrix", [[1, 2], "34"]),
        ("matrix", [[1, "2"]]),
        ("matrix", [[1, True]]),
        ("matrix", [[[1]]]),
        ("matrix", [[1] * 21]),  # over SageMaker's 20 x 20
        ("matrix", [[1]] * 21),
        ("matrix", {"0": {"0": 1}}),
        ("heat_map", [[1]]),
        (None, [1, 2]),
        (["bar_chart"], [1, 2]),
    ],
)
def test_shapes_that_cannot_be_drawn_give_none(kind, value):
    assert metric_chart({"name": "m", "type": kind, "value": value}) is None


@pytest.mark.parametrize(
    "metric", [None, [], "bar_chart", 3, {}, {"type": "bar_chart"}, {"value": [1, 2]}]
)
def test_anything_that_is_not_a_metric_gives_none(metric):
    assert metric_chart(metric) is None


# --- the card page ----------------------------------------------------------------------------


def count_queries(client, card) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cards:detail", args=[card.name]))
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.django_db
def test_the_card_page_draws_a_bar_chart_without_extra_queries(alice_client, alice):
    content = load_json("sdk_v2_standalone_card.json")
    plain = [{"name": "auc", "type": "number", "value": 0.87}]
    content["evaluation_details"][0]["metric_groups"][0]["metric_data"] = plain
    card = make_card(user=alice, name="chart-card", content=content)
    plain_queries, _ = count_queries(alice_client, card)

    hostile = {**BAR, "x_axis_name": ["Cat", "<script>alert(1)</script>", "Horse", "Bird"]}
    # A metric that cannot be drawn (saved before validation, say) shows in the table as today.
    broken = {"name": "broken", "type": "linear_graph", "value": [[0, 1], [1]]}
    content["evaluation_details"][0]["metric_groups"][0]["metric_data"] = [*plain, hostile, broken]
    ModelCard.objects.filter(pk=card.pk).update(content=content)
    # charts are drawn from the card's content: they cost no queries (session, user, card, ...)
    chart_queries, page = count_queries(alice_client, card)
    assert chart_queries == plain_queries  # the absolute budget is in test_card_pages.py
    assert "<script>alert(1)</script>" not in page
    found = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    assert len(found) == 1  # the bar chart; the broken line graph is not drawn
    svg = parse(found[0])
    assert svg.find("svg:title", NS).text == BAR["name"]
    bars = svg.findall(".//svg:g[@class='bar']", NS)
    assert [bar.find("svg:title", NS).text for bar in bars] == [
        "Cat: 0.1",
        "<script>alert(1)</script>: 0.11",
        "Horse: 0.245",
        "Bird: 0.06",
    ]
    shown = [own_text(bar.find("svg:text[@class='label']", NS)) for bar in bars]
    assert shown[0] == "Cat" and shown[1].startswith("<script>")  # slanted and shortened
    # the exact numbers are kept in a data table under the chart
    figure = re.search(r'<figure class="chart">.*?</figure>', page, flags=re.DOTALL)[0]
    assert "<summary>Data</summary>" in figure and "<td>0.245</td>" in figure
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in figure
    # simple values, and what cannot be drawn, stay in the metrics table
    table = page[page.index("<th>Metric</th><th>Type</th>") : page.index('<div class="charts">')]
    assert "<td>auc</td>" in table and "<td>broken</td>" in table


def test_a_long_matrix_label_wraps_instead_of_being_cut():
    metric = {
        **MATRIX,
        "x_axis_name": ["actual churned customers", "actual stayed"],
        "y_axis_name": ["predicted churn", "predicted stay"],
    }
    shown = texts(draw(metric), ".//svg:text[@class='label']")
    assert "predicted churn" in shown and "actual churned customers" in shown
    assert not any("…" in label for label in shown)


def test_bars_start_at_the_ideal_value_when_there_is_one():
    svg = parse(str(metric_chart({"name": "r", "type": "bar_chart", "value": [1, 0.5]}, ideal=1)))
    heights = [float(r.get("height")) for r in svg.findall(".//svg:g[@class='bar']/svg:rect", NS)]
    assert heights[0] < 1 < heights[1]  # a ratio at its ideal 1 has no bar; 0.5 has one
    assert svg.find(".//svg:g[@class='ideal']", NS) is not None
