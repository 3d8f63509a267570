"""Writes the SDK v3 fixture cards in this folder with sagemaker-core's own shape classes.

Not run by the tests (sagemaker-core is not a dependency): run it by hand to regenerate,
    uv venv /tmp/smcore && uv pip install --python /tmp/smcore sagemaker-core
    /tmp/smcore/bin/python tests/data/sdk_v3/generate.py
Each card is what a v3 user passes as ``Content`` to ``ModelCard.create``:
``ModelCardContent(...).model_dump_json(exclude_none=True)``.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

from sagemaker.core.shapes.model_card_shapes import (
    AdditionalInformation,
    BarChartMetric,
    BusinessDetails,
    EvaluationDetailsItem,
    Function,
    IntendedUses,
    LinearGraphMetric,
    MatrixMetric,
    MetricGroupsItem,
    ModelCardContent,
    ModelOverview,
    ObjectiveFunction,
    RiskRating,
    SimpleMetric,
    TrainingDetails,
    TrainingEnvironment,
    TrainingHyperParameter,
    TrainingJobDetails,
    TrainingMetric,
)

HERE = Path(__file__).resolve().parent
JOB_ARN = "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-xgb-2026-12-01"

CARDS = {
    "minimal": ModelCardContent(
        model_overview=ModelOverview(model_description="Churn model, first draft."),
    ),
    "overview_and_uses": ModelCardContent(
        model_overview=ModelOverview(
            model_description="Predicts customer churn in the next 30 days.",
            model_creator="Data science team",
            model_owner="Retention product team",
            model_artifact=["s3://example-models/churn/model.tar.gz"],
            algorithm_type="XGBoost",
            problem_type="Binary Classification",
        ),
        intended_uses=IntendedUses(
            purpose_of_model="Rank customers for retention offers.",
            intended_uses="Weekly batch scoring.",
            factors_affecting_model_efficiency="Seasonality; new products.",
            risk_rating=RiskRating.MEDIUM,
            explanations_for_risk_rating="Offers affect revenue, not eligibility.",
        ),
        business_details=BusinessDetails(
            business_problem="Reduce churn.",
            business_stakeholders="Retention, finance",
            line_of_business="Consumer",
        ),
    ),
    "training_flat_objective": ModelCardContent(
        training_details=TrainingDetails(
            objective_function=ObjectiveFunction(
                function=Function.MINIMIZE, facet="Loss", condition="binary:logistic"
            ),
            training_observations="Converged after 120 rounds.",
            training_job_details=TrainingJobDetails(
                training_arn=JOB_ARN,
                training_datasets=["s3://example-data/churn/train.csv"],
                training_environment=TrainingEnvironment(
                    container_image=["683313688378.dkr.ecr.us-east-1.amazonaws.com/xgb:1.7-1"]
                ),
                training_metrics=[TrainingMetric(name="validation:auc", value=0.91)],
                user_provided_training_metrics=[
                    TrainingMetric(name="train:logloss", value=-0.0, notes="rounded")
                ],
                hyper_parameters=[TrainingHyperParameter(name="max_depth", value="6")],
                user_provided_hyper_parameters=[TrainingHyperParameter(name="eta")],
            ),
        ),
    ),
    "objective_direction_only": ModelCardContent(
        training_details=TrainingDetails(
            objective_function=ObjectiveFunction(function=Function.MAXIMIZE),
        ),
    ),
    "evaluation_every_metric": ModelCardContent(
        model_overview=ModelOverview(model_description="Evaluated churn model."),
        training_details=TrainingDetails(
            objective_function=ObjectiveFunction(
                function=Function.MAXIMIZE, facet="AUC", condition="validation AUC"
            ),
        ),
        evaluation_details=[
            EvaluationDetailsItem(
                name="holdout-2026-11",
                evaluation_observation="Stable across regions.",
                evaluation_job_arn="arn:aws:sagemaker:us-east-1:123456789012:processing-job/eval",
                datasets=["s3://example-data/churn/holdout.csv"],
                metadata={"region": "eu-west-1", "owner": "ds"},
                metric_groups=[
                    MetricGroupsItem(
                        name="binary_classification_metrics",
                        metric_data=[
                            SimpleMetric(name="auc", type="number", value=0.912),
                            SimpleMetric(name="verdict", type="string", value="pass"),
                            SimpleMetric(name="calibrated", type="boolean", value=True),
                            LinearGraphMetric(
                                name="roc",
                                type="linear_graph",
                                value=[[0.0, 0.0], [0.1, 0.7], [1.0, 1.0]],
                                x_axis_name="false_positive_rates",
                                y_axis_name="true_positive_rates",
                            ),
                            BarChartMetric(
                                name="by segment",
                                type="bar_chart",
                                value=[0.9, 0.85],
                                x_axis_name=["new", "loyal"],
                                y_axis_name="auc",
                            ),
                            MatrixMetric(
                                name="confusion_matrix",
                                type="matrix",
                                value=[[80, 20], [10, 90]],
                                x_axis_name=["0", "1"],
                                y_axis_name=["0", "1"],
                            ),
                        ],
                    )
                ],
            ),
            EvaluationDetailsItem(name="no-metrics-yet"),
        ],
        additional_information=AdditionalInformation(
            ethical_considerations="No protected attributes used.",
            caveats_and_recommendations="Retrain quarterly.",
            custom_details={"zeta": "last", "alpha": "first"},
        ),
    ),
}


def main() -> None:
    made_with = f"sagemaker-core {version('sagemaker-core')}"
    for name, card in CARDS.items():
        text = card.model_dump_json(exclude_none=True)
        (HERE / f"{name}.json").write_text(text + "\n", encoding="utf-8")
        json.loads(text)  # a JSON document, as the service gets it
    (HERE / "MADE_WITH").write_text(made_with + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
