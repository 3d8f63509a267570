"""Clarify's and Model Monitor's names in people's words, for every place a person reads them.

The content keeps the names the SDK writes (a group "post_training_bias_metrics - label fraud = 0
and facet customer_gender_female=1", a metric "AD"): SageMaker gets exactly those. The pages, the
charts and the exports show the words here instead: "Post-training bias, label fraud = 0, facet
customer_gender_female = 1" and "Accuracy Difference (AD)", with what it means and its ideal
value. The full names are the ones Clarify writes in its report's "description"; the content
does not carry them, so this table does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    abbreviation: str
    name: str
    meaning: str
    ideal: float | None = None  # 0 for a difference, 1 for a ratio; None when there is none

    @property
    def title(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    @property
    def is_ratio(self) -> bool:
        return self.ideal == 1


def _bias(abbreviation: str, name: str, meaning: str, ideal: float = 0) -> Term:
    return Term(abbreviation, name, meaning, ideal)


# Clarify's bias metrics (https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-measure-data-bias.html
# and clarify-measure-post-training-bias.html); names as Clarify's report spells them.
CLARIFY_BIAS: dict[str, Term] = {
    term.abbreviation: term
    for term in [
        _bias("CI", "Class Imbalance", "Whether the facet has fewer examples than the rest."),
        _bias(
            "DPL",
            "Difference in Positive Proportions in Labels",
            "Positive labels in the rest minus positive labels in the facet.",
        ),
        _bias(
            "KL",
            "Kullback-Leibler Divergence",
            "How far the facet's label distribution is from the rest's.",
        ),
        _bias(
            "JS",
            "Jensen-Shannon Divergence",
            "A symmetric distance between the label distributions.",
        ),
        _bias("LP", "L-p Norm", "The p-norm distance between the label distributions."),
        _bias(
            "TVD",
            "Total Variation Distance",
            "Half the L1 distance between the label distributions.",
        ),
        _bias(
            "KS",
            "Kolmogorov-Smirnov Distance",
            "The largest gap between the label distributions.",
        ),
        _bias(
            "CDDL",
            "Conditional Demographic Disparity in Labels",
            "Demographic disparity of the labels, averaged over subgroups.",
        ),
        _bias(
            "DPPL",
            "Difference in Positive Proportions in Predicted Labels",
            "Positive predictions in the rest minus positive predictions in the facet.",
        ),
        _bias(
            "DI",
            "Disparate Impact",
            "Positive predictions in the facet divided by those in the rest.",
            ideal=1,
        ),
        _bias(
            "DCA",
            "Difference in Conditional Acceptance",
            "Gap between observed and predicted acceptances, rest minus facet.",
        ),
        _bias(
            "DCR",
            "Difference in Conditional Rejection",
            "Gap between observed and predicted rejections, rest minus facet.",
        ),
        _bias("SD", "Specificity Difference", "True negative rate, rest minus facet."),
        _bias("RD", "Recall Difference", "True positive rate, rest minus facet."),
        _bias(
            "DAR",
            "Difference in Acceptance Rates",
            "Precision on positive predictions, rest minus facet.",
        ),
        _bias(
            "DRR",
            "Difference in Rejection Rates",
            "Precision on negative predictions, rest minus facet.",
        ),
        _bias("AD", "Accuracy Difference", "Prediction accuracy, rest minus facet."),
        _bias(
            "TE",
            "Treatment Equality",
            "Ratio of false negatives to false positives, rest minus facet.",
        ),
        _bias(
            "CDDPL",
            "Conditional Demographic Disparity in Predicted Labels",
            "Demographic disparity of the predictions, averaged over subgroups.",
        ),
        _bias(
            "FT",
            "Flip Test",
            "How often the prediction changes for a similar example of the other group.",
        ),
        _bias("GE", "Generalized Entropy", "How unequally the model's benefits are spread."),
    ]
}

# Model Monitor's model quality metrics that do not read well with underscores turned to spaces.
_MONITOR_WORDS = {
    "auc": "AUC (area under the ROC curve)",
    "f0_5": "F0.5 score",
    "f1": "F1 score",
    "f2": "F2 score",
    "mae": "Mean absolute error (MAE)",
    "mse": "Mean squared error (MSE)",
    "rmse": "Root mean squared error (RMSE)",
    "r2": "R² (coefficient of determination)",
    "receiver_operating_characteristic_curve": "ROC curve",
}
_MONITOR_GROUPS = {
    "binary_classification_metrics": "Binary classification metrics",
    "multiclass_classification_metrics": "Multiclass classification metrics",
    "regression_metrics": "Regression metrics",
}
_BIAS_GROUP = re.compile(
    r"^(?P<stage>pre|post)_training_bias_metrics - label (?P<label>.+?) = (?P<value>.+?) "
    r"and facet (?P<facet>.+?)=(?P<facet_value>.*)$",
    re.S,
)
_SHAP_GROUP = re.compile(
    r"^explanations - (?P<kind>global_shap_values|global_top_shap_text), label=(?P<label>.+?)"
    r"(?:, feature=(?P<feature>.*))?$",
    re.S,
)


def is_bias_group(group_name: object) -> bool:
    return isinstance(group_name, str) and bool(_BIAS_GROUP.match(group_name))


def performance_group(group_name: object) -> bool:
    """Whether a group holds model performance metrics, not Clarify's bias metrics or
    explanations (which describe the data and the model's fairness, not a task result)."""
    if not isinstance(group_name, str):
        return True
    return not (is_bias_group(group_name) or group_name.startswith("explanations - "))


def group_title(group_name: object) -> str:
    """A metric group's name as people read it; a name we do not know stays as written."""
    name = group_name if isinstance(group_name, str) else ""
    if found := _BIAS_GROUP.match(name):
        stage = "Pre-training" if found["stage"] == "pre" else "Post-training"
        return (
            f"{stage} bias, label {found['label']} = {found['value']}, "
            f"facet {found['facet']} = {found['facet_value']}"
        )
    if found := _SHAP_GROUP.match(name):
        what = "SHAP values" if found["kind"] == "global_shap_values" else "Top SHAP text tokens"
        title = f"{what}, label {found['label']}"
        return f"{title}, feature {found['feature']}" if found["feature"] else title
    if name == "explanations - pdp":
        return "Partial dependence plots (PDP)"
    return _MONITOR_GROUPS.get(name, name)


def metric_term(group_name: object, metric_name: object) -> Term | None:
    """What a metric of this group is, when it is one of Clarify's or Model Monitor's."""
    if not isinstance(metric_name, str):
        return None
    if is_bias_group(group_name):
        return CLARIFY_BIAS.get(metric_name)
    if isinstance(group_name, str) and group_name in _MONITOR_GROUPS:
        base, _, spread = metric_name.partition(" - ")
        words = _MONITOR_WORDS.get(base)
        if words is None:
            words = base.replace("_best_constant_classifier", " of the best constant classifier")
            words = words.replace("_", " ")
            words = words[:1].upper() + words[1:]
        if spread:
            words += f", {spread.replace('_', ' ')}"
        return Term("", words, "")
    return None


def metric_title(group_name: object, metric_name: object) -> str:
    """ "Accuracy Difference (AD)" for Clarify's AD; any other name as written."""
    term = metric_term(group_name, metric_name)
    if term:
        return term.title
    return metric_name if isinstance(metric_name, str) else ""
