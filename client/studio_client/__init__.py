"""A client for Model Card Studio's REST API, shaped like the SageMaker SDK's card flow.

    studio = Studio("https://cards.example.com", token)
    card = studio.create_card("churn-v7", "Growth", from_model_package_arn=arn)
    card.update(intended_uses={"purpose_of_model": "Predict churn"})
    card.add_report("analysis.json", report_type="Clarify Bias", job="holdout-2025q4")
    card.submit()
    card.wait_for_status("Approved", timeout=3 * 24 * 3600)
    card.publish(wait=True)

Every refusal raises ``StudioError`` with the server's problem details.

An approval's attestation is checked offline with ``verify(envelope, keys=..., export=...)``
(``pip install './client[verify]'``).
"""

from studio_client.client import Card, Publication, Studio, StudioError
from studio_client.verify import VerificationFailed, Verified, verify

__all__ = [
    "Card",
    "Publication",
    "Studio",
    "StudioError",
    "VerificationFailed",
    "Verified",
    "verify",
]
