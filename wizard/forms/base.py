"""The lossless form base: content forms, their rows, and a wizard step.

A step owns a set of paths in SageMaker's content document. ``build`` writes the step's
values into a copy of the card's content and leaves every other key exactly as it was; a
field (or a whole row) submitted as it was shown keeps its stored value as it is.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django import forms
from django.forms import formset_factory

from cards.content.document import EMPTY, Path, dig, prune, put, section
from cards.content.validation import ContentError, content_errors
from cards.models import Team
from wizard.forms.fields import as_text, one_newline_style


def readable_path(path: Path) -> str:
    parts = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"row {part + 1}")
        else:
            parts.append(str(part).replace("_", " "))
    return " › ".join(parts)


class ContentForm(forms.Form):
    """A form whose initial values come from stored content and may be left untouched."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # A single-line input would lose a stored value's line breaks; show a textarea.
            shown = as_text(field.prepare_value(self.initial.get(name)))
            if isinstance(field.widget, forms.TextInput) and "\n" in shown:
                field.widget = forms.Textarea(attrs={"rows": 2})

    @property
    def is_stored(self) -> bool:
        return True

    def clean(self) -> dict:
        # A stored value the user did not touch is not re-read, so it cannot fail to parse
        # ("key: value" lines for a value holding a line break, say): it is kept as it is.
        for name in list(self._errors):
            if name in self.fields and self.untouched(name):
                del self._errors[name]
                self.cleaned_data[name] = self.initial.get(name)
        return super().clean()

    def untouched(self, name: str) -> bool:
        """True when the field was submitted exactly as it was shown (stored value kept)."""
        if not self.is_bound or not self.is_stored or name not in self.fields:
            return False
        field = self.fields[name]
        shown = field.prepare_value(self.initial.get(name))
        submitted = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        return one_newline_style(as_text(submitted)) == one_newline_style(as_text(shown))

    def changed(self, name: str) -> bool:
        return not self.untouched(name)


class RowForm(ContentForm):
    """A row of a formset; rows shown from the content map onto its items by position."""

    stored_row = False  # set by StepForm for rows that were shown from stored items
    # The field that names the row, and what to say when a filled-in row has no name.
    name_field: ClassVar[str | None] = None
    name_missing: ClassVar[str] = ""

    def clean(self) -> dict:
        data = super().clean()
        field = self.name_field
        if field and self.has_content() and not data.get(field) and self.changed(field):
            self.add_error(field, self.name_missing)
        return data

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rows are drawn as table cells under a heading: the heading's words name the input.
        for field in self.fields.values():
            if field.label:
                field.widget.attrs.setdefault("aria-label", str(field.label))

    @property
    def is_stored(self) -> bool:
        return self.stored_row

    def content_fields(self) -> list[str]:
        return [name for name in self.fields if name != "DELETE"]

    def deleted(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("DELETE"))

    def all_untouched(self) -> bool:
        return self.is_stored and all(self.untouched(name) for name in self.content_fields())

    def has_content(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        if data.get("DELETE"):
            return False
        return any(data.get(name) not in EMPTY for name in self.content_fields())


def rows_formset(form: type[forms.Form]) -> type[forms.BaseFormSet]:
    # Caps (50 metrics, 100 hyperparameters...) are content rules with their own messages;
    # absolute_max only bounds the work a forged request can cause.
    return formset_factory(form, extra=1, can_delete=True, absolute_max=1000)


class StepForm(ContentForm):
    """A step: its own fields, its formsets, and the content paths it owns."""

    title: ClassVar[str] = ""
    # field name -> content path of its value
    paths: ClassVar[dict[str, Path]] = {}
    formset_classes: ClassVar[dict[str, type[forms.BaseFormSet]]] = {}
    # The page: panels of fields and tables, in order; a table is (name, legend, help, row).
    sections: ClassVar[list[tuple[str, list[str | tuple[str, str, str, str]]]]] = []

    # field name -> the look-up buttons next to it: (wizard_lookup value, button text)
    lookups: ClassVar[dict[str, list[tuple[str, str]]]] = {}

    base_revision = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={
            "invalid": "The page's revision marker was damaged, so nothing was saved. Reload "
            "the step and make your change again."
        },
    )

    # Tables that show a blank row only when they have no rows yet (or one was asked for with
    # an "Add" button, ``add_row``); the others always end with one.
    blank_when_empty: ClassVar[set[str]] = set()

    def __init__(
        self,
        *args: Any,
        content: dict,
        user,
        teams: list[Team],
        add_row: str = "",
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.add_row = add_row  # the prefix of the table an "Add" button asked a row for
        # content path ("model_overview.model_id") -> where a look-up filled it from, for
        # values still as filled (set by the view from the card's provenance)
        self.marks: dict[str, str] = {}
        self.content = content
        self.user = user
        self.teams = teams
        self.formsets = {}
        for name, formset_class in self.formset_classes.items():
            rows = self.initial.get(name) or []
            formset = formset_class(
                data=self.data if self.is_bound else None,
                prefix=f"{self.prefix}-{name}" if self.prefix else name,
                initial=rows,
            )
            if name in self.blank_when_empty and not self.is_bound:
                formset.extra = 1 if not rows or formset.prefix == add_row else 0
            for index, form in enumerate(formset.forms):
                form.stored_row = index < len(rows)
            formset.stored_count = len(rows)
            self.formsets[name] = formset
        # formset name -> form index of each item written, in content order
        self.row_origin: dict[str, list[int]] = {}
        self.new_content: dict | None = None

    def clean(self) -> dict:
        data = super().clean()
        # The marker is a hidden input: its error would show next to nothing.
        for message in self._errors.pop("base_revision", []):
            self.add_error(None, message)
        return data

    @property
    def is_stored(self) -> bool:
        # A new card has nothing stored: every field counts, defaults included.
        return bool(self.content)

    @classmethod
    def initial_from_content(cls, content: dict) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name, path in cls.paths.items():
            value = dig(content, *path)
            initial[name] = value if isinstance(value, list | dict) else as_text(value)
        return initial

    def build(self, content: dict) -> None:
        """Write this step's changed values into ``content`` (a private copy)."""
        for name, path in self.paths.items():
            if name in self.fields and self.changed(name):
                put(section(content, *path[:-1]), path[-1], self.cleaned_data[name])
        # Deepest first: pruning removes emptied parents too.
        for path in sorted(self.paths.values(), key=len, reverse=True):
            prune(content, self.content, *path[:-1])

    def is_valid(self) -> bool:
        # Rows first: the step's own clean() checks across rows (unique names).
        valid = all([formset.is_valid() for formset in self.every_formset()])
        valid = self.rows_all_sent() and valid
        valid = super().is_valid() and valid
        if not valid:
            return False
        content = copy.deepcopy(self.content)
        self.build(content)
        errors = content_errors(content)
        for error in errors:
            self.place_error(error)
        if errors:
            return False
        self.new_content = content
        return True

    def every_formset(self) -> list[forms.BaseFormSet]:
        """Every table of the step, nested ones included."""
        return list(self.formsets.values())

    def rows_all_sent(self) -> bool:
        """False (with a message at the table) when a table came back with fewer rows than
        the card holds: rows that were not sent would be deleted though nobody removed them."""
        complete = True
        for formset in self.every_formset():
            if not formset.is_bound or not formset.management_form.is_valid():
                continue  # Django reports a missing or damaged management form itself
            sent = formset.management_form.cleaned_data["TOTAL_FORMS"]
            if sent < formset.stored_count or sent < 0:
                formset._non_form_errors = formset.non_form_errors() + [
                    f"This table came back with {max(sent, 0)} of the {formset.stored_count} "
                    "rows the card holds, so nothing was saved. Reload the step and make your "
                    "change again; to remove a row, tick its Remove box."
                ]
                complete = False
        return complete

    def layout(self) -> list[dict[str, Any]]:
        formset_keys = {
            name: ".".join(str(part) for part in path)
            for path, name in self.formset_paths().items()
        }
        panels = []
        for title, items in self.sections:
            entries = []
            for item in items:
                if isinstance(item, tuple):
                    name, legend, help_text, row_name = item
                    entries.append(
                        {
                            "formset": self.formsets[name],
                            "legend": legend,
                            "help": help_text,
                            "row_name": row_name,
                            "mark": self.marks.get(formset_keys.get(name, "")),
                        }
                    )
                elif item in self.fields:
                    path = ".".join(str(part) for part in self.paths.get(item, ()))
                    entries.append(
                        {
                            "field": self[item],
                            "mark": self.marks.get(path),
                            "lookups": self.lookups.get(item, []),
                        }
                    )
            panels.append({"title": title, "entries": entries})
        return panels

    def build_rows(
        self, name: str, stored: Any, fields: tuple[str, ...], *, required: tuple[str, ...] = ()
    ) -> list[Any]:
        """The items of a list from the rows of formset ``name`` over the ``stored`` items.

        An untouched row keeps its stored item as it is; a changed row updates only the keys
        it changed; a removed or emptied row is dropped; new rows are added at the end.
        """
        stored = stored if isinstance(stored, list) else []
        items, origin = [], []
        for index, form in enumerate(self.formsets[name].forms):
            item = stored[index] if form.is_stored and index < len(stored) else None
            if form.deleted():
                continue
            if item is not None and form.all_untouched():
                items.append(copy.deepcopy(item))
            elif form.has_content():
                changed = copy.deepcopy(item) if isinstance(item, dict) else {}
                for field in fields:
                    if item is None or form.changed(field):
                        value = form.cleaned_data.get(field)
                        if field in required and value in EMPTY:
                            changed[field] = value if value is not None else ""
                        else:
                            put(changed, field, value)
                items.append(changed)
            else:
                continue
            origin.append(index)
        self.row_origin[name] = origin
        return items

    def place_error(self, error: ContentError) -> None:
        path = tuple(error.path)
        by_path = {path: name for name, path in self.paths.items()}
        for length in range(len(path), 0, -1):
            field = by_path.get(path[:length])
            if field and field in self.fields:
                self.add_error(field, error.message)
                return
        for prefix, formset_name in self.formset_paths().items():
            if path[: len(prefix)] != prefix:
                continue
            rest = path[len(prefix) :]
            formset = self.formsets[formset_name]
            origin = self.row_origin.get(formset_name, [])
            if rest and isinstance(rest[0], int) and rest[0] < len(origin):
                form = formset.forms[origin[rest[0]]]
                field = rest[1] if len(rest) > 1 and rest[1] in form.fields else None
                form.add_error(field, error.message)
            else:
                formset._non_form_errors = formset.non_form_errors() + [error.message]
            return
        self.add_error(None, f"{readable_path(path)}: {error.message}" if path else error.message)

    def formset_paths(self) -> dict[Path, str]:
        return {}
