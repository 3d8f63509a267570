"""The template editor's forms: one row per extra field, and the built-in requirements."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory

from teamtemplates.definition import (
    ALWAYS,
    BUILTINS,
    CHOICE,
    MAX_HELP,
    MAX_KEY,
    MAX_LABEL,
    NEVER,
    RISK_RATINGS,
    TYPES,
)

WHEN_CHOICES = [(ALWAYS, "Always"), *((rating, rating) for rating in RISK_RATINGS)]
WHEN_HELP = "Required at submit: always, or when the card's risk rating is one of those ticked."


def required_value(ticked: list[str]) -> Any:
    """The ticked boxes as a requirement: "always", the ratings, or "never"."""
    if ALWAYS in ticked:
        return ALWAYS
    ratings = [rating for rating in RISK_RATINGS if rating in ticked]
    return ratings or NEVER


def ticked_boxes(required: Any) -> list[str]:
    if required == ALWAYS:
        return [ALWAYS]
    return list(required) if isinstance(required, list) else []


class FieldRow(forms.Form):
    key = forms.CharField(
        label="Key",
        required=False,
        strip=False,
        help_text="Stored under this name in the card's custom details; keep it stable.",
        widget=forms.TextInput(attrs={"maxlength": MAX_KEY}),
    )
    label = forms.CharField(label="Label", required=False, max_length=MAX_LABEL)
    help = forms.CharField(
        label="Help", required=False, max_length=MAX_HELP, widget=forms.Textarea(attrs={"rows": 2})
    )
    type = forms.ChoiceField(
        label="Type", choices=list(TYPES.items()), initial="text", required=False
    )
    options = forms.CharField(
        label="Options",
        required=False,
        help_text="For a choice: one option per line.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    required_when = forms.MultipleChoiceField(
        label="Required at submit",
        required=False,
        choices=WHEN_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=WHEN_HELP,
    )

    def has_changed(self) -> bool:
        # Django skips an extra row equal to its initial; here every sent row is read, so a
        # page sent back with a wrong row count cannot drop a field.
        return True

    def has_content(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        if data.get("DELETE"):
            return False
        return any(data.get(name) for name in ("key", "label", "help", "options"))

    def field_definition(self) -> dict:
        data = self.cleaned_data
        options = [line.strip() for line in data.get("options", "").splitlines() if line.strip()]
        return {
            "key": data.get("key", ""),
            "label": data.get("label", "").strip(),
            "help": data.get("help", "").strip(),
            "type": data.get("type") or "text",
            "options": options,
            "required": required_value(data.get("required_when") or []),
        }

    @staticmethod
    def initial_of(field: dict) -> dict:
        return {
            "key": field.get("key", ""),
            "label": field.get("label", ""),
            "help": field.get("help", ""),
            "type": field.get("type", "text"),
            "options": "\n".join(field.get("options") or []) if field.get("type") == CHOICE else "",
            "required_when": ticked_boxes(field.get("required", NEVER)),
        }


FieldRows = formset_factory(FieldRow, extra=2, can_delete=True, max_num=150, absolute_max=200)


class TemplateForm(forms.Form):
    name = forms.CharField(label="Template name", max_length=MAX_LABEL)
    note = forms.CharField(
        label="What changed (optional)",
        required=False,
        max_length=200,
        help_text="Kept with the new version and in the audit log.",
    )

    def __init__(self, *args: Any, definition: dict | None = None, **kwargs: Any) -> None:
        definition = definition or {}
        builtin = definition.get("builtin") or {}
        initial = {"name": definition.get("name", "")}
        initial |= {f"builtin_{key}": ticked_boxes(builtin.get(key)) for key in BUILTINS}
        super().__init__(*args, initial=initial, **kwargs)
        for key, item in BUILTINS.items():
            self.fields[f"builtin_{key}"] = forms.MultipleChoiceField(
                label=item.label,
                required=False,
                choices=WHEN_CHOICES,
                widget=forms.CheckboxSelectMultiple,
            )
        fields = definition.get("fields") or []
        self.rows = FieldRows(
            data=self.data if self.is_bound else None,
            prefix="fields",
            initial=[FieldRow.initial_of(field) for field in fields],
        )
        self.row_origin: list[int] = []

    def builtin_fields(self) -> list[forms.BoundField]:
        return [self[f"builtin_{key}"] for key in BUILTINS]

    def is_valid(self) -> bool:
        rows_valid = self.rows.is_valid()
        return super().is_valid() and rows_valid

    def definition(self) -> dict:
        fields, self.row_origin = [], []
        for index, row in enumerate(self.rows.forms):
            if row.has_content():
                fields.append(row.field_definition())
                self.row_origin.append(index)
        builtin = {}
        for key in BUILTINS:
            required = required_value(self.cleaned_data.get(f"builtin_{key}") or [])
            if required != NEVER:
                builtin[key] = required
        return {"name": self.cleaned_data["name"].strip(), "fields": fields, "builtin": builtin}

    def place_problems(self, problems: list[tuple[str, str]]) -> None:
        """Put each problem of the definition (``fields.2.key``) next to its input."""
        for where, message in problems:
            parts = where.split(".")
            if parts[0] == "fields" and len(parts) > 1 and parts[1].isdigit():
                position = int(parts[1])
                if position < len(self.row_origin):
                    row = self.rows.forms[self.row_origin[position]]
                    name = {"required": "required_when"}.get(parts[-1], parts[-1])
                    row.add_error(name if name in row.fields else None, message)
                    continue
            if parts[0] == "builtin" and len(parts) > 1 and f"builtin_{parts[1]}" in self.fields:
                self.add_error(f"builtin_{parts[1]}", message)
            elif parts[0] == "name":
                self.add_error("name", message)
            else:
                self.add_error(None, message)


class StarterForm(forms.Form):
    starter = forms.ChoiceField(label="Starter template")

    def __init__(self, *args: Any, starters: dict[str, dict], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starter"].choices = [(key, value["name"]) for key, value in starters.items()]
