"""One form per wizard step. Forms only validate and translate between fields and content.

Each step owns a set of paths in SageMaker's content document. ``build`` writes the step's
values into a copy of the card's content and leaves every other key (including keys no form
shows, such as ``model_package_details``) exactly as it was.

Saving never rewrites what the user did not touch: a field (or a whole row) whose submitted
text is the text it was shown with keeps the stored value as it is, even where the form could
not reproduce it (whitespace, a key with a colon, a value of an unusual type, an empty string).
Only what the user changed is parsed and written.
"""

from __future__ import annotations

from wizard.forms.additional import AdditionalForm
from wizard.forms.base import StepForm
from wizard.forms.details import DetailsForm
from wizard.forms.evaluation import EvaluationForm
from wizard.forms.fields import as_text
from wizard.forms.training import JOB, TrainingForm

__all__ = ["JOB", "STEPS", "StepForm", "as_text"]


STEPS: list[tuple[str, type[StepForm]]] = [
    ("details", DetailsForm),
    ("training", TrainingForm),
    ("evaluation", EvaluationForm),
    ("additional", AdditionalForm),
]
