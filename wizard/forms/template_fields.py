"""Step 4's typed fields: the extra fields of the team's template, as a person fills them.

Values are stored as SageMaker custom details, that is strings: a number as its canonical
text ("0.5", "12"), a date as yyyy-mm-dd, yes/no as "Yes" / "No", a choice as the option's
text. A stored value the typed widget could not show exactly (a number written "1,5", an
option the template no longer has) is shown as it is and kept until someone changes it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from teamtemplates.definition import (
    CHOICE,
    DATE,
    LONG_TEXT,
    MAX_VALUE,
    NO,
    NUMBER,
    YES,
    YES_NO,
    canonical_number,
    parse_date,
    parse_number,
    shows_typed,
    when_text,
)
from wizard.forms.fields import TextField

_KIND_WORDS = {NUMBER: "a number", DATE: "a date (yyyy-mm-dd)"}


class TypedTextField(TextField):
    """Text, long text, number or date; cleaned to the canonical string that is stored."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(max_length=MAX_VALUE, **kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        try:
            if self.kind == NUMBER:
                return canonical_number(parse_number(text))
            if self.kind == DATE:
                return parse_date(text).isoformat()
        except ValueError as error:
            raise ValidationError(str(error)) from None
        return text


class TypedChoiceField(forms.ChoiceField):
    """A choice or yes/no; empty means not filled in."""

    def __init__(self, *, options: list[str], stored: str, **kwargs: Any) -> None:
        choices = [("", "—"), *((option, option) for option in options)]
        if stored and stored not in options:  # kept as it is: offered, marked, never lost
            choices.append((stored, f"{stored} (not an option of the template)"))
        super().__init__(choices=choices, required=False, **kwargs)


def typed_field(field: dict, stored: Any) -> forms.Field:
    """The form field for a template field, given the value the card holds now."""
    kind = field.get("type")
    stored_text = stored if isinstance(stored, str) else ("" if stored is None else str(stored))
    help_parts = [field.get("help", ""), when_text(field.get("required"))]
    typed = shows_typed(field, stored)
    if not typed and kind in _KIND_WORDS:
        help_parts.append(
            f"The stored value is not {_KIND_WORDS[kind]}; it is kept as written until you "
            "change it."
        )
    common = {"label": field["label"], "help_text": " ".join(p for p in help_parts if p)}
    if kind in (CHOICE, YES_NO):
        options = (field.get("options") or []) if kind == CHOICE else [YES, NO]
        return TypedChoiceField(options=options, stored=stored_text, **common)
    if kind == LONG_TEXT:
        widget = forms.Textarea(attrs={"rows": 3})
    elif kind == NUMBER and typed:
        widget = forms.NumberInput(attrs={"step": "any"})
    elif kind == DATE and typed:
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    else:
        widget = forms.TextInput
    return TypedTextField(kind=kind, widget=widget, **common)
