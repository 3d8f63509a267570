"""Step 4: additional information and custom details."""

from __future__ import annotations

from typing import Any

from cards.content.document import Path, dig, prune, put, section
from cards.content.validation import ContentError
from wizard.forms.base import RowForm, StepForm, rows_formset
from wizard.forms.fields import TextField, as_text, text


class CustomDetailForm(RowForm):
    key = TextField(label="Key", max_length=1024)  # the console's limit for a key
    value = text("additional_information.custom_details.*")

    name_field, name_missing = "key", "Give the custom detail a name."


CustomDetailFormSet = rows_formset(CustomDetailForm)


class AdditionalForm(StepForm):
    title = "Additional details"

    ethical_considerations = text("additional_information.ethical_considerations", rows=4)
    caveats_and_recommendations = text("additional_information.caveats_and_recommendations", rows=4)

    paths = {
        "ethical_considerations": ("additional_information", "ethical_considerations"),
        "caveats_and_recommendations": ("additional_information", "caveats_and_recommendations"),
    }
    formset_classes = {"custom_details": CustomDetailFormSet}
    sections = [
        ("Additional information", ["ethical_considerations", "caveats_and_recommendations"]),
        (
            "Custom details",
            [
                (
                    "custom_details",
                    "",
                    "Your own fields, for example Line of business = Personal finance.",
                    "custom detail",
                )
            ],
        ),
    ]

    def formset_paths(self) -> dict[Path, str]:
        return {("additional_information", "custom_details"): "custom_details"}

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        initial = super().initial_from_content(content)
        custom = dig(content, "additional_information", "custom_details")
        initial["custom_details"] = [
            {"key": key, "value": as_text(value)}
            for key, value in (custom.items() if isinstance(custom, dict) else [])
        ]
        return initial

    def clean(self) -> dict:
        data = super().clean()
        keys = [
            form.cleaned_data.get("key")
            for form in self.formsets["custom_details"].forms
            if form.has_content()
        ]
        duplicates = sorted({key for key in keys if key and keys.count(key) > 1})
        if duplicates:
            self.add_error(None, f"Custom detail names must be unique: {', '.join(duplicates)}.")
        return data

    def build(self, content: dict) -> None:
        stored = dig(self.content, "additional_information", "custom_details")
        stored_items = [
            {"key": key, "value": value}
            for key, value in (stored.items() if isinstance(stored, dict) else [])
        ]
        rows = self.build_rows("custom_details", stored_items, ("key", "value"))
        custom = {row.get("key", ""): row.get("value", "") for row in rows}
        put(section(content, "additional_information"), "custom_details", custom)
        # Errors about a custom detail name the key, not a position: map them to rows.
        self.custom_rows = dict(zip(custom, self.row_origin["custom_details"], strict=False))
        super().build(content)
        prune(content, self.content, "additional_information")

    def place_error(self, error: ContentError) -> None:
        path = tuple(error.path)
        prefix = ("additional_information", "custom_details")
        if path[:2] == prefix and len(path) > 2 and path[2] in self.custom_rows:
            form = self.formsets["custom_details"].forms[self.custom_rows[path[2]]]
            form.add_error("value", error.message)
            return
        super().place_error(error)
