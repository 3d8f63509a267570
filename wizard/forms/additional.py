"""Step 4: additional information, the team template's typed fields, and custom details."""

from __future__ import annotations

from typing import Any

from django import forms

from cards.content.document import Path, dig, prune, put, section
from cards.content.validation import ContentError
from wizard.forms.base import RowForm, StepForm, rows_formset
from wizard.forms.fields import TextField, as_text, text
from wizard.forms.template_fields import typed_field

CUSTOM = ("additional_information", "custom_details")


class CustomDetailForm(RowForm):
    key = TextField(label="Key", max_length=1024)  # the console's limit for a key
    value = text("additional_information.custom_details.*")

    name_field, name_missing = "key", "Give the custom detail a name."


CustomDetailFormSet = rows_formset(CustomDetailForm)

_CUSTOM_TABLE = (
    "custom_details",
    "",
    "Your own fields, for example Line of business = Personal finance.",
    "custom detail",
)


class AdditionalForm(StepForm):
    title = "Additional details"

    ethical_considerations = text("additional_information.ethical_considerations", rows=4)
    caveats_and_recommendations = text("additional_information.caveats_and_recommendations", rows=4)
    # The team template version the page showed (so a save reads the fields it showed).
    template_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    paths = {
        "ethical_considerations": ("additional_information", "ethical_considerations"),
        "caveats_and_recommendations": ("additional_information", "caveats_and_recommendations"),
    }
    formset_classes = {"custom_details": CustomDetailFormSet}
    sections = [
        ("Additional information", ["ethical_considerations", "caveats_and_recommendations"]),
        ("Custom details", [_CUSTOM_TABLE]),
    ]

    def __init__(self, *args: Any, template=None, **kwargs: Any) -> None:
        """``template``: the team's template version (``number``, ``definition``), or None.
        Custom details the template names become its typed fields; the others stay rows."""
        fields = (template.definition.get("fields") or []) if template is not None else []
        self.template_keys = {field["key"] for field in fields}
        initial = dict(kwargs.pop("initial", None) or {})
        stored = dig(kwargs.get("content") or {}, *CUSTOM)
        stored = stored if isinstance(stored, dict) else {}
        initial["custom_details"] = [
            row for row in initial.get("custom_details", []) if row["key"] not in self.template_keys
        ]
        self.typed: list[tuple[str, dict]] = []
        for index, field in enumerate(fields):
            initial[f"template_{index}"] = as_text(stored.get(field["key"]))
            self.typed.append((f"template_{index}", field))
        if template is not None:
            initial["template_version"] = template.number
        super().__init__(*args, initial=initial, **kwargs)
        for name, field in self.typed:
            self.fields[name] = typed_field(field, stored.get(field["key"]))
        if self.typed:
            title = f"{template.definition['name']} (team template, version {template.number})"
            self.sections = [self.sections[0], (title, [name for name, _ in self.typed])]
            self.sections.append(("Other custom details", [_CUSTOM_TABLE]))

    def formset_paths(self) -> dict[Path, str]:
        return {CUSTOM: "custom_details"}

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        initial = super().initial_from_content(content)
        custom = dig(content, *CUSTOM)
        initial["custom_details"] = [
            {"key": key, "value": as_text(value)}
            for key, value in (custom.items() if isinstance(custom, dict) else [])
        ]
        return initial

    def clean(self) -> dict:
        data = super().clean()
        keys = []
        for form in self.formsets["custom_details"].forms:
            if not form.has_content():
                continue
            key = form.cleaned_data.get("key")
            keys.append(key)
            if key in self.template_keys and form.changed("key"):
                message = f"“{key}” is a field of the team's template: fill it in above instead."
                form.add_error("key", message)
                self.add_error(None, message)
        duplicates = sorted({key for key in keys if key and keys.count(key) > 1})
        if duplicates:
            self.add_error(None, f"Custom detail names must be unique: {', '.join(duplicates)}.")
        return data

    def build(self, content: dict) -> None:
        stored = dig(self.content, *CUSTOM)
        stored = stored if isinstance(stored, dict) else {}
        stored_items = [
            {"key": key, "value": value}
            for key, value in stored.items()
            if key not in self.template_keys
        ]
        rows = self.build_rows("custom_details", stored_items, ("key", "value"))
        origin = self.row_origin["custom_details"]
        kept = [
            (row, index)
            for row, index in zip(rows, origin, strict=True)
            if index < len(stored_items)
        ]
        added = [
            (row, index)
            for row, index in zip(rows, origin, strict=True)
            if index >= len(stored_items)
        ]
        typed = {}
        names = {}
        for name, field in self.typed:
            key = field["key"]
            names[key] = name
            if self.changed(name):
                if self.cleaned_data.get(name):
                    typed[key] = self.cleaned_data[name]  # emptied: the detail goes
            elif key in stored:
                typed[key] = stored[key]  # untouched: exactly as stored
        # Everything keeps its place: template values and rows where they were stored, new
        # template values next, new rows last.
        entries: list[tuple[str, Any, tuple[str, Any]]] = []
        kept_rows = iter(kept)
        for key in stored:
            if key in self.template_keys:
                if key in typed:
                    entries.append((key, typed.pop(key), ("field", names[key])))
            elif (row := next(kept_rows, None)) is not None:
                entries.append((row[0].get("key", ""), row[0].get("value", ""), ("row", row[1])))
        for _, field in self.typed:
            if field["key"] in typed:
                entries.append(
                    (field["key"], typed.pop(field["key"]), ("field", names[field["key"]]))
                )
        for row, index in [*kept_rows, *added]:
            entries.append((row.get("key", ""), row.get("value", ""), ("row", index)))
        custom = {key: value for key, value, _ in entries}
        put(section(content, "additional_information"), "custom_details", custom)
        # Errors about a custom detail name the key, not a position: map them to its input.
        self.custom_inputs = {key: where for key, _, where in entries}
        super().build(content)
        prune(content, self.content, "additional_information")

    def place_error(self, error: ContentError) -> None:
        path = tuple(error.path)
        if path[:2] == CUSTOM and len(path) > 2 and path[2] in self.custom_inputs:
            kind, where = self.custom_inputs[path[2]]
            if kind == "field":
                self.add_error(where, error.message)
            else:
                self.formsets["custom_details"].forms[where].add_error("value", error.message)
            return
        super().place_error(error)
