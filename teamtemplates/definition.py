"""A team template's definition: plain data, checked here, applied to a card's content.

A definition is JSON (stored in a ``TemplateVersion`` row and in the starter files)::

    {"name": "...", "source": "...",
     "fields": [{"key", "label", "help", "type", "options", "required"}...],
     "builtin": {"ethical_considerations": ["High"], ...}}

``required`` is ``"never"``, ``"always"`` or a list of risk ratings. Values of the extra
fields live in ``additional_information.custom_details`` as strings (SageMaker's custom
properties), so the content stays SageMaker's document; this module turns them into typed
values and back. It reads content only, and imports nothing of the app but the content
package.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from cards.content.document import dig, format_path, is_filled

TEXT, LONG_TEXT, NUMBER, DATE, CHOICE, YES_NO = (
    "text",
    "long_text",
    "number",
    "date",
    "choice",
    "yes_no",
)
TYPES = {
    TEXT: "Text",
    LONG_TEXT: "Long text",
    NUMBER: "Number",
    DATE: "Date",
    CHOICE: "Choice",
    YES_NO: "Yes / no",
}
RISK_RATINGS = ("High", "Medium", "Low", "Unknown")
YES, NO = "Yes", "No"
NEVER, ALWAYS = "never", "always"

MAX_KEY = 1024  # SageMaker's limit for a custom detail's key (and its value)
MAX_VALUE = 1024
MAX_LABEL = 200
MAX_HELP = 1000
MAX_FIELDS = 100
CUSTOM = ("additional_information", "custom_details")

_NUMBER = re.compile(r"-?\d+(\.\d+)?")  # what a number input shows back exactly
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _has_metrics(content: dict, *, bias: bool = False) -> bool:
    jobs = content.get("evaluation_details")
    for job in jobs if isinstance(jobs, list) else []:
        groups = job.get("metric_groups") if isinstance(job, dict) else None
        for group in groups if isinstance(groups, list) else []:
            if not isinstance(group, dict) or not group.get("metric_data"):
                continue
            # Clarify's bias report names its groups after the analysis' sections.
            name = str(group.get("name", ""))
            if not bias or name.startswith(("pre_training_bias", "post_training_bias")):
                return True
    return False


@dataclass(frozen=True)
class Builtin:
    label: str  # as the readiness checklist says it, so the two merge
    step: str
    path: tuple[str, ...]

    def done(self, content: dict) -> bool:
        if self.path == ("evaluation_details",):
            return _has_metrics(content)
        if self.path == ("evaluation_details", "clarify_bias"):
            return _has_metrics(content, bias=True)
        if self.path == ("training_details",):
            return is_filled(dig(content, "training_details", "training_job_details")) or is_filled(
                dig(content, "training_details", "training_observations")
            )
        return is_filled(dig(content, *self.path))


BUILTINS: dict[str, Builtin] = {
    "model_description": Builtin(
        "Model description", "details", ("model_overview", "model_description")
    ),
    "model_owner": Builtin("Model owner", "details", ("model_overview", "model_owner")),
    "purpose_of_model": Builtin(
        "Purpose of the model", "details", ("intended_uses", "purpose_of_model")
    ),
    "intended_uses": Builtin("Intended uses", "details", ("intended_uses", "intended_uses")),
    "factors_affecting_model_efficiency": Builtin(
        "Factors affecting model efficacy",
        "details",
        ("intended_uses", "factors_affecting_model_efficiency"),
    ),
    "explanations_for_risk_rating": Builtin(
        "Explanation for the risk rating",
        "details",
        ("intended_uses", "explanations_for_risk_rating"),
    ),
    "business_problem": Builtin(
        "Business problem", "details", ("business_details", "business_problem")
    ),
    "business_stakeholders": Builtin(
        "Business stakeholders", "details", ("business_details", "business_stakeholders")
    ),
    "objective_function": Builtin(
        "Objective function", "training", ("training_details", "objective_function", "function")
    ),
    "training": Builtin("Training job or training observations", "training", ("training_details",)),
    "evaluation_metrics": Builtin(
        "At least one evaluation job with metrics", "evaluation", ("evaluation_details",)
    ),
    "clarify_bias": Builtin(
        "An evaluation job with a Clarify bias report",
        "evaluation",
        ("evaluation_details", "clarify_bias"),
    ),
    "ethical_considerations": Builtin(
        "Ethical considerations", "additional", ("additional_information", "ethical_considerations")
    ),
    "caveats_and_recommendations": Builtin(
        "Caveats and recommendations",
        "additional",
        ("additional_information", "caveats_and_recommendations"),
    ),
}


def problem_path(builtin: Builtin) -> str:
    if builtin.path == ("evaluation_details", "clarify_bias"):
        return "evaluation_details"
    return format_path(builtin.path)


# --- requirements -----------------------------------------------------------------------------


def applies(required: Any, risk: Any) -> bool:
    """Whether a requirement (``"always"``, ``"never"`` or ratings) holds at this risk."""
    if required == ALWAYS:
        return True
    return isinstance(required, list) and risk in required


def when_text(required: Any) -> str:
    """``"always"`` -> "Required at submit."; ``["High"]`` -> "... when the risk is High."."""
    if required == ALWAYS:
        return "Required at submit."
    if isinstance(required, list) and required:
        return f"Required at submit when the risk rating is {' or '.join(required)}."
    return ""


@dataclass(frozen=True)
class Requirement:
    label: str
    step: str
    path: str  # the content path, as API problems and the checklist name it
    done: bool
    required: str  # why ("Required at submit when the risk rating is High."), or ""
    key: str = ""  # the builtin or custom detail key


def requirements(definition: dict, content: dict) -> list[Requirement]:
    """Every item the template names, with whether the content has it and whether the
    card's risk rating makes it required at submit."""
    content = content if isinstance(content, dict) else {}
    risk = dig(content, "intended_uses", "risk_rating")
    custom = dig(content, *CUSTOM)
    custom = custom if isinstance(custom, dict) else {}
    items = []
    wanted = definition.get("builtin") or {}
    for key, builtin in BUILTINS.items():  # in the console's order (jsonb sorts keys)
        if key not in wanted:
            continue
        required = wanted[key]
        why = when_text(required) if applies(required, risk) else ""
        items.append(
            Requirement(
                builtin.label, builtin.step, problem_path(builtin), builtin.done(content), why, key
            )
        )
    for field in definition.get("fields") or []:
        required = field.get("required", NEVER)
        why = when_text(required) if applies(required, risk) else ""
        items.append(
            Requirement(
                field["label"],
                "additional",
                format_path((*CUSTOM, field["key"])),
                is_filled(custom.get(field["key"])),
                why,
                field["key"],
            )
        )
    return items


def missing(definition: dict, content: dict) -> list[tuple[str, str]]:
    """(content path, message) of each item the template requires at this risk and the
    card lacks, and of each template field whose value is not of its type (written through
    the API or an import): what blocks a submission."""
    risk = dig(content, "intended_uses", "risk_rating") if isinstance(content, dict) else None
    name = definition.get("name") or "The team's template"
    problems = []
    for item in requirements(definition, content):
        if item.required and not item.done:
            at = f" for a {risk} risk card" if item.required != when_text(ALWAYS) else ""
            problems.append((item.path, f"{name} requires “{item.label}”{at}: fill it in."))
    custom = dig(content, *CUSTOM) if isinstance(content, dict) else None
    for field in definition.get("fields") or []:
        value = custom.get(field["key"]) if isinstance(custom, dict) else None
        if is_filled(value) and (wrong := type_problem(field, value)):
            path = format_path((*CUSTOM, field["key"]))
            problems.append((path, f"“{field['label']}” {wrong} (it is “{value[:60]}”)."))
    return problems


def type_problem(field: dict, value: str) -> str:
    """What is wrong with a filled value for the field's type, or ""."""
    kind = field.get("type")
    try:
        if kind == NUMBER:
            parse_number(value)
        elif kind == DATE:
            parse_date(value)
    except ValueError:
        return "must be a number" if kind == NUMBER else "must be a date (yyyy-mm-dd)"
    if kind == YES_NO and value not in (YES, NO):
        return "must be Yes or No"
    if kind == CHOICE and value not in (field.get("options") or []):
        return f"must be one of: {', '.join(field.get('options') or [])}"
    return ""


# --- typed values -----------------------------------------------------------------------------


def canonical_number(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_number(text: str) -> Decimal:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError("Enter a number, such as 12 or 0.5.") from None
    if not number.is_finite():
        raise ValueError("Enter a number, such as 12 or 0.5.")
    return number


def parse_date(text: str) -> datetime.date:
    text = text.strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError("Enter a date as yyyy-mm-dd, such as 2026-03-31.") from None


def shows_typed(field: dict, stored: Any) -> bool:
    """Whether a stored value can be shown in the field's typed widget exactly as it is
    (otherwise it is shown as plain text, so nothing the widget cannot hold is lost)."""
    if stored is None or stored == "":
        return True
    if not isinstance(stored, str):
        return False
    kind = field.get("type")
    if kind == NUMBER:
        return bool(_NUMBER.fullmatch(stored))
    if kind == DATE:
        try:
            parse_date(stored)
        except ValueError:
            return False
        return stored == stored.strip()
    if kind == CHOICE:
        return stored in (field.get("options") or [])
    if kind == YES_NO:
        return stored in (YES, NO)
    return True


# --- checking a definition --------------------------------------------------------------------


def _required_problem(required: Any) -> str:
    if required in (NEVER, ALWAYS):
        return ""
    if (
        isinstance(required, list)
        and required
        and all(r in RISK_RATINGS for r in required)
        and len(set(required)) == len(required)
    ):
        return ""
    return "Choose when it is required: never, always, or for some risk ratings."


def definition_problems(definition: Any) -> list[tuple[str, str]]:
    """(where, message) of everything wrong with a definition; ``where`` is
    ``fields.2.key``, ``builtin.caveats_and_recommendations`` or ``name``."""
    if not isinstance(definition, dict):
        return [("", "A template is a JSON object with “name”, “fields” and “builtin”.")]
    problems = []
    unknown = sorted(set(definition) - {"name", "source", "fields", "builtin"})
    if unknown:
        problems.append(("", f"Unknown keys in the template: {', '.join(unknown)}."))
    name = definition.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_LABEL:
        problems.append(("name", f"Give the template a name (at most {MAX_LABEL} characters)."))
    fields = definition.get("fields", [])
    if not isinstance(fields, list):
        return [*problems, ("fields", "“fields” must be a list.")]
    if len(fields) > MAX_FIELDS:
        problems.append(("fields", f"A template holds at most {MAX_FIELDS} fields."))
    seen: set[str] = set()
    for index, field in enumerate(fields):
        problems += [
            (f"fields.{index}.{part}", message) for part, message in _field_problems(field, seen)
        ]
    builtin = definition.get("builtin", {})
    if not isinstance(builtin, dict):
        return [*problems, ("builtin", "“builtin” must be an object.")]
    for key, required in builtin.items():
        if key not in BUILTINS:
            problems.append(
                (f"builtin.{key}", f"“{key}” is not a built-in field a template can require.")
            )
        elif message := _required_problem(required):
            problems.append((f"builtin.{key}", message))
    return problems


def _field_problems(field: Any, seen: set[str]) -> list[tuple[str, str]]:
    if not isinstance(field, dict):
        return [("", "Each field is an object with a key, a label and a type.")]
    problems = []
    unknown = sorted(set(field) - {"key", "label", "help", "type", "options", "required"})
    if unknown:
        problems.append(("", f"Unknown keys in the field: {', '.join(unknown)}."))
    key = field.get("key")
    if not isinstance(key, str) or not key.strip():
        problems.append(("key", "Give the field a key: the name it is stored under."))
    elif len(key) > MAX_KEY:
        problems.append(
            ("key", f"A key has at most {MAX_KEY:,} characters (this one has {len(key):,}).")
        )
    elif key in seen:
        problems.append(
            ("key", f"Another field of the template has the key “{key}”: keys must be unique.")
        )
    elif key != key.strip():
        problems.append(("key", "A key cannot start or end with a space."))
    if isinstance(key, str):
        seen.add(key)
    label = field.get("label")
    if not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL:
        problems.append(("label", f"Give the field a label (at most {MAX_LABEL} characters)."))
    help_text = field.get("help", "")
    if not isinstance(help_text, str) or len(help_text) > MAX_HELP:
        problems.append(("help", f"Help is text of at most {MAX_HELP:,} characters."))
    kind = field.get("type")
    if kind not in TYPES:
        problems.append(("type", f"Choose a type: {', '.join(TYPES.values())}."))
    options = field.get("options", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        problems.append(("options", "Options are a list of texts."))
    elif kind == CHOICE:
        if not options:
            problems.append(("options", "A choice field needs its options, one per line."))
        elif any(not option.strip() or len(option) > MAX_VALUE for option in options):
            problems.append(("options", f"Each option is a text of 1 to {MAX_VALUE:,} characters."))
        elif len(set(options)) != len(options):
            problems.append(("options", "An option is listed twice."))
    elif options:
        problems.append(("options", "Only a choice field has options."))
    if message := _required_problem(field.get("required", NEVER)):
        problems.append(("required", message))
    return problems


def merged(definition: dict, starter: dict) -> dict:
    """The definition with a starter's fields added (a key it has already is kept as it is)
    and the starter's built-in requirements joined to its own."""
    fields = list(definition.get("fields") or [])
    keys = {field.get("key") for field in fields}
    fields += [field for field in starter.get("fields") or [] if field.get("key") not in keys]
    builtin = dict(definition.get("builtin") or {})
    for key, required in (starter.get("builtin") or {}).items():
        builtin[key] = _union(builtin.get(key, NEVER), required)
    name = definition.get("name") or starter.get("name") or "Team template"
    result = {"name": name, "fields": fields, "builtin": builtin}
    if definition.get("source") or starter.get("source"):
        result["source"] = definition.get("source") or starter.get("source")
    return result


def _union(one: Any, other: Any) -> Any:
    if ALWAYS in (one, other):
        return ALWAYS
    ratings = {*(one if isinstance(one, list) else []), *(other if isinstance(other, list) else [])}
    return [rating for rating in RISK_RATINGS if rating in ratings] or NEVER
