"""SageMaker Clarify analysis.json: bias metrics (SDK ClarifyBiasParser) and explanations
(SDK ClarifyExplainabilityParser)."""

from __future__ import annotations

from cards.reports.loading import ReportError
from cards.reports.report_types import (
    _BIAS_SECTIONS,
    CLARIFY_BIAS,
    CLARIFY_EXPLAINABILITY,
    _looks_like,
    _other_part,
    _require_object,
)
from cards.reports.values import (
    Problems,
    _count,
    _kind,
    _non_empty_groups,
    _number_or_problem,
    _show,
    _text,
)

_PDP_GROUP = "explanations - pdp"  # the SDK puts every PDP graph in this one group
# Strings Clarify and Model Monitor write for numbers JSON cannot hold.
_NON_FINITE = frozenset(
    {"nan", "-nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"}
)


# --- Clarify bias (SDK ClarifyBiasParser) ------------------------------------------------------


def _parse_clarify_bias(doc: object, problems: Problems) -> list[dict]:
    doc = _require_object(doc, CLARIFY_BIAS)
    groups: dict[str, list[dict]] = {}  # the SDK merges items that name the same group
    found = False
    for key, section in doc.items():
        if isinstance(section, dict) and "facets" in section:
            found = True
            _bias_section(key, section, groups, problems)
        elif key in _BIAS_SECTIONS:
            what = "has no “facets”" if isinstance(section, dict) else f"is {_kind(section)}"
            problems.append(f"{key} {what}, so its bias metrics are left out.")
        elif key == "explanations":
            problems.append(_other_part("Clarify explanations", CLARIFY_EXPLAINABILITY))
    if not found and not any(key in doc for key in _BIAS_SECTIONS):
        raise ReportError(
            "This file has no Clarify bias metrics: there is no “pre_training_bias_metrics” or "
            "“post_training_bias_metrics” with “facets”." + _looks_like(doc, CLARIFY_BIAS)
        )
    return _non_empty_groups(groups, problems)


def _bias_section(key: str, section: dict, groups: dict[str, list[dict]], problems: Problems):
    label = _text(section.get("label"))
    label_value = _text(section.get("label_value_or_threshold"), lists=True)
    if label is None or label_value is None:
        missing = "label" if label is None else "label_value_or_threshold"
        problems.append(
            f"{key} has no usable “{missing}”, so its metric groups cannot be named and are left "
            "out."
        )
        return
    facets = section["facets"]
    if not isinstance(facets, dict):
        problems.append(
            f"“facets” in {key} is {_kind(facets)}, not an object, so its metrics are left out."
        )
        return
    for facet_name, items in facets.items():
        if not isinstance(items, list):
            problems.append(
                f"Facet {facet_name} in {key} is {_kind(items)}, not a list, so it is left out."
            )
            continue
        for index, item in enumerate(items):
            where = f"Entry {index + 1} of facet {facet_name} in {key}"
            if not isinstance(item, dict):
                problems.append(f"{where} is {_kind(item)}, not an object, so it is left out.")
                continue
            threshold = _text(item.get("value_or_threshold"), lists=True)
            if threshold is None:
                problems.append(f"{where} has no usable “value_or_threshold”, so it is left out.")
                continue
            name = f"{key} - label {label} = {label_value} and facet {facet_name}={threshold}"
            data = groups.setdefault(name, [])
            metrics = item.get("metrics")
            if not isinstance(metrics, list):
                problems.append(
                    f"“metrics” of {name} is {_kind(metrics)}, not a list, so it is left out."
                )
                continue
            for position, metric in enumerate(metrics):
                if not isinstance(metric, dict):
                    problems.append(
                        f"Metric {position + 1} in {name} is {_kind(metric)}, not an object, so "
                        "it is left out."
                    )
                    continue
                metric_name = _text(metric.get("name"))
                if not metric_name:
                    problems.append(
                        f"Metric {position + 1} in {name} has no name, so it is left out."
                    )
                    continue
                value = metric.get("value")
                if _number_or_problem(value, metric_name, name, problems, metric.get("error")):
                    data.append({"name": metric_name, "value": value, "type": "number"})


# --- Clarify explainability (SDK ClarifyExplainabilityParser) ---------------------------------


def _parse_clarify_explainability(doc: object, problems: Problems) -> list[dict]:
    doc = _require_object(doc, CLARIFY_EXPLAINABILITY)
    explanations = doc.get("explanations")
    if not isinstance(explanations, dict):
        if "explanations" in doc:
            raise ReportError(
                "“explanations” must be an object (with “kernel_shap” and/or “pdp”); in this "
                f"file it is {_kind(explanations)}."
            )
        raise ReportError(
            "This file has no Clarify “explanations”." + _looks_like(doc, CLARIFY_EXPLAINABILITY)
        )
    groups = []
    # The SDK's order: every kernel_shap group, then the pdp group.
    if "kernel_shap" in explanations:
        groups.extend(_kernel_shap(explanations["kernel_shap"], problems))
    if "pdp" in explanations:
        groups.extend(_pdp(explanations["pdp"], problems))
    for method in explanations:
        if method not in ("kernel_shap", "pdp"):
            problems.append(
                f"explanations.{method} has no model card mapping (only kernel_shap and pdp "
                "have one), so it is left out."
            )
    if any(key in doc for key in _BIAS_SECTIONS):
        problems.append(_other_part("Clarify bias metrics", CLARIFY_BIAS))
    if not groups and not problems:
        problems.append("“explanations” holds no global SHAP values and no PDP results.")
    return groups


def _kernel_shap(kernel_shap: object, problems: Problems) -> list[dict]:
    if not isinstance(kernel_shap, dict):
        problems.append(
            f"explanations.kernel_shap is {_kind(kernel_shap)}, not an object, so it is left out."
        )
        return []
    groups: dict[str, list[dict]] = {}
    for label, explanation in kernel_shap.items():
        if not isinstance(explanation, dict):
            problems.append(
                f"explanations.kernel_shap.{label} is {_kind(explanation)}, not an object, so it "
                "is left out."
            )
            continue
        # expected_value (the baseline) is not mapped, as in the SDK.
        for key, values in explanation.items():
            if key == "global_shap_values":
                name = f"explanations - global_shap_values, label={label}"
                _shap_group(name, values, groups, problems)
            elif key == "global_top_shap_text":
                if not isinstance(values, dict):
                    problems.append(
                        f"explanations.kernel_shap.{label}.global_top_shap_text is "
                        f"{_kind(values)}, not an object, so it is left out."
                    )
                    continue
                for feature, tokens in values.items():
                    name = f"explanations - global_top_shap_text, label={label}, feature={feature}"
                    _shap_group(name, tokens, groups, problems)
    return _non_empty_groups(groups, problems)


def _shap_group(name: str, values: object, groups: dict[str, list[dict]], problems: Problems):
    if not isinstance(values, dict):
        problems.append(f"{name} is {_kind(values)}, not an object, so it is left out.")
        return
    data = groups.setdefault(name, [])
    for feature, value in values.items():
        # The SDK types the metric by the value's Python type.
        if isinstance(value, bool):
            data.append({"name": feature, "value": value, "type": "boolean"})
        elif isinstance(value, str) and value.strip().lower() not in _NON_FINITE:
            data.append({"name": feature, "value": value, "type": "string"})
        elif _number_or_problem(value, feature, name, problems):
            data.append({"name": feature, "value": value, "type": "number"})


def _pdp(pdp: object, problems: Problems) -> list[dict]:
    if not isinstance(pdp, list):
        problems.append(f"explanations.pdp is {_kind(pdp)}, not a list, so it is left out.")
        return []
    data: list[dict] = []
    for index, entry in enumerate(pdp):
        data.extend(_pdp_entry(index, entry, problems))
    if data:
        return [{"name": _PDP_GROUP, "metric_data": data}]
    if pdp:
        problems.append(f"No PDP could be used, so the group {_PDP_GROUP} is left out.")
    return []


def _pdp_entry(index: int, entry: object, problems: Problems) -> list[dict]:
    """The data distribution and model prediction graphs of one PDP feature."""
    if not isinstance(entry, dict):
        problems.append(
            f"PDP entry {index + 1} is {_kind(entry)}, not an object, so it is left out."
        )
        return []
    feature = _text(entry.get("feature_name"))
    if not feature:
        problems.append(f"PDP entry {index + 1} has no feature_name, so it is left out.")
        return []
    where = f"The PDP of feature {feature}"
    data_type = entry.get("data_type")
    if data_type not in ("numerical", "categorical"):
        problems.append(
            f"{where} has data_type {_show(data_type)}, not “numerical” or “categorical”, so it "
            "is left out."
        )
        return []
    values = entry.get("feature_values")
    if not isinstance(values, list) or not values:
        problems.append(f"{where} has no feature_values list, so it is left out.")
        return []
    numerical = data_type == "numerical"
    labels = [_text(value) for value in values]
    if not numerical and None in labels:
        problems.append(f"{where} has feature_values that are not plain values, so it is left out.")
        return []

    def graph(name: str, ys: object, y_axis: str) -> list[dict]:
        if not isinstance(ys, list):
            problems.append(
                f"{name} in {_PDP_GROUP} is {_kind(ys)}, not a list, so it is left out."
            )
            return []
        if len(ys) != len(values):
            problems.append(
                f"{name} in {_PDP_GROUP} has {len(ys)} values for {len(values)} feature values, "
                "so it is left out."
            )
            return []
        # Numerical features are line graphs of (feature value, y); categorical ones are bar
        # charts with the feature values as bar labels.
        return [
            {
                "name": name,
                "type": "linear_graph" if numerical else "bar_chart",
                "value": [[x, y] for x, y in zip(values, ys, strict=True)]
                if numerical
                else list(ys),
                "x_axis_name": feature if numerical else list(labels),
                "y_axis_name": y_axis,
            }
        ]

    data = graph(
        f"data_distribution - feature={feature}",
        entry.get("data_distribution"),
        "Data distribution",
    )
    headers, predictions = entry.get("label_headers"), entry.get("model_predictions")
    if not isinstance(headers, list) or not isinstance(predictions, list):
        missing = "label_headers" if not isinstance(headers, list) else "model_predictions"
        problems.append(f"{where} has no {missing} list, so its model predictions are left out.")
        return data
    for position, header in enumerate(headers):
        label = _text(header)
        if label is None:
            problems.append(
                f"Label header {position + 1} of the PDP of feature {feature} is {_kind(header)}, "
                "so its model predictions are left out."
            )
            continue
        name = f"model_predictions - feature={feature}, label={label}"
        if position >= len(predictions):
            problems.append(
                f"{name} has no predictions (model_predictions has "
                f"{_count(len(predictions), 'list')} for {len(headers)} label headers), so it is "
                "left out."
            )
            continue
        data.extend(graph(name, predictions[position], label))
    return data
