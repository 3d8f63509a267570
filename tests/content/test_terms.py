"""Clarify's and Model Monitor's names as people read them; unknown names stay as written."""

import pytest

from cards.content.terms import group_title, metric_title, performance_group


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        (
            "post_training_bias_metrics - label fraud = 0 and facet customer_gender_female=1",
            "Post-training bias, label fraud = 0, facet customer_gender_female = 1",
        ),
        (
            "pre_training_bias_metrics - label Target = 1 and facet Gender=0",
            "Pre-training bias, label Target = 1, facet Gender = 0",
        ),
        ("explanations - global_shap_values, label=label0", "SHAP values, label label0"),
        (
            "explanations - global_top_shap_text, label=label0, feature=review",
            "Top SHAP text tokens, label label0, feature review",
        ),
        ("explanations - pdp", "Partial dependence plots (PDP)"),
        ("binary_classification_metrics", "Binary classification metrics"),
        ("my own group", "my own group"),
    ],
)
def test_group_names_read_in_words(stored, read):
    assert group_title(stored) == read


def test_metric_names_read_in_words_only_in_their_groups():
    bias = "post_training_bias_metrics - label y = 1 and facet age=40"
    assert metric_title(bias, "AD") == "Accuracy Difference (AD)"
    assert metric_title(bias, "XYZ") == "XYZ"
    assert metric_title("my own group", "AD") == "AD"  # a team's own "AD" is not Clarify's
    monitor = "binary_classification_metrics"
    assert metric_title(monitor, "auc") == "AUC (area under the ROC curve)"
    assert (
        metric_title(monitor, "accuracy_best_constant_classifier - standard_deviation")
        == "Accuracy of the best constant classifier, standard deviation"
    )
    assert not performance_group(bias) and performance_group(monitor)
