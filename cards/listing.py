"""Pages of long lists that cost the same at any size (cards, audit events, publications).

Two things grow with a table and are avoided here:

- Counting every match. ``capped_count`` counts at most COUNT_LIMIT + 1 rows: below the limit
  the count is exact, above it the page says "more than 1,000".
- Page numbers as OFFSET, which reads every row before the page. Pages are reached by keyset
  ("after this row" / "before this row" in the list's order): a cursor holds the sort key of
  the row to continue from, the query asks for rows past it with one row comparison
  ``(sort key, unique key) < (…)`` that the sort's index answers directly. Every ordering used
  here ends in a unique column, so no row is skipped or shown twice.

The cursor also says where the page starts (its position), for "Page 3 of 40"; it is only a
label, read from the link the user followed.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, GeneratedField, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

from cards.errors import InvalidInput

COUNT_LIMIT = 1000
CURSOR_MESSAGE = "This page link is not one the list gave; follow Next or Previous from the list."


def capped_count(queryset: QuerySet, limit: int | None = None) -> tuple[int, bool]:
    """(count, exact): the exact count up to ``limit`` (COUNT_LIMIT), else (limit, False),
    reading at most limit + 1 rows."""
    limit = COUNT_LIMIT if limit is None else limit
    found = queryset.order_by().values("pk")[: limit + 1].count()
    return min(found, limit), found <= limit


def count_label(count: int, exact: bool) -> str:
    """ "1,234", or "more than 1,000" when the count stopped at its limit."""
    return f"{count:,}" if exact else f"more than {count:,}"


def _plain(value: Any) -> Any:
    # isoformat keeps the microseconds (DjangoJSONEncoder drops them: rows would be skipped).
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def encode_cursor(direction: str, values: Sequence[Any], position: int) -> str:
    payload = json.dumps([direction, [_plain(value) for value in values], position])
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _fields(model, ordering: Sequence[str]):
    fields = []
    for name in ordering:
        name = name.lstrip("-")
        model_field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        if isinstance(model_field, GeneratedField):
            model_field = model_field.output_field
        fields.append(model_field)
    return fields


def decode_cursor(cursor: str, model, ordering: Sequence[str]) -> tuple[str, list, int]:
    """(direction, the sort key's values, position) of a cursor this module wrote."""
    try:
        raw = base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4))
        direction, values, position = json.loads(raw)
        if direction not in ("after", "before") or not isinstance(position, int):
            raise ValueError
        if not isinstance(values, list) or len(values) != len(ordering):
            raise ValueError
        values = [
            model_field.to_python(value)
            for model_field, value in zip(_fields(model, ordering), values, strict=True)
        ]
        if any(value is None for value in values):
            raise ValueError
    except (ValueError, TypeError, ValidationError, binascii.Error, UnicodeError):
        raise InvalidInput(CURSOR_MESSAGE, field="cursor") from None
    return direction, values, max(position, 0)


def _attribute(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


@dataclass
class KeysetPage:
    """One page of rows, where it is, and the cursors to the pages beside it."""

    rows: list
    per_page: int
    position: int = 0  # of the first row, in the whole list
    next_cursor: str | None = None
    previous_cursor: str | None = None
    count: int | None = None  # None when not counted
    exact: bool = True
    # Filled by the view: the links the pager shows.
    next_url: str | None = None
    previous_url: str | None = None
    first_url: str | None = None
    started: bool = False  # reached through a cursor (not the first page as linked)
    error: str = ""  # why the link's cursor was not used (the first page is shown instead)
    query: str = ""  # the list's query string without the cursor

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    @property
    def number(self) -> int:
        return self.position // self.per_page + 1

    @property
    def num_pages(self) -> int | None:
        """The number of pages when the count is exact, else None ("Page 3")."""
        if self.count is None or not self.exact:
            return None
        return max(1, -(-self.count // self.per_page))

    @property
    def count_label(self) -> str:
        return count_label(self.count or 0, self.exact)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)

    def links(self, base: str) -> KeysetPage:
        """Sets the pager's links from ``base``, the list's query string without a cursor."""
        self.query = base
        prefix = f"?{base}&" if base else "?"
        if self.next_cursor:
            self.next_url = f"{prefix}cursor={self.next_cursor}"
        if self.previous_cursor:
            self.previous_url = f"{prefix}cursor={self.previous_cursor}"
        if self.started:
            self.first_url = f"?{base}" if base else "?"
        return self


def keyset_page(
    queryset: QuerySet,
    ordering: Sequence[str],
    cursor: str,
    per_page: int,
    *,
    count: bool = True,
    search: bool = False,
    value: Callable[[Any, str], Any] = _attribute,
) -> KeysetPage:
    """The page of ``queryset`` in ``ordering`` that ``cursor`` points at (the first without
    one). ``ordering`` is one direction throughout and ends in a unique field. Raises
    InvalidInput for a cursor this module did not write.

    ``search``: the queryset is a text search. PostgreSQL cannot estimate how many cards a
    search matches (a name such as "card-00042" looks common), and when it guesses many it
    walks the sort's index testing every card: all 100,000 for one match. So the matches'
    keys are looked up first through the search indexes (at most COUNT_LIMIT + 1, which also
    counts them); when they are that few, the page is read by key. Otherwise they are many
    and walking the sort's index finds a page of them soon."""
    descending = ordering[0].startswith("-")
    if any(name.startswith("-") != descending for name in ordering):
        raise ValueError(f"keyset pagination needs one direction: {ordering}")
    names = [name.lstrip("-") for name in ordering]
    key = Tuple(*[F(name) for name in names])
    direction, values, position = "after", None, 0
    if cursor:
        direction, values, position = decode_cursor(cursor, queryset.model, ordering)
    backwards = direction == "before"
    found = None
    if search:
        keys = list(queryset.order_by().values_list("pk", flat=True)[: COUNT_LIMIT + 1])
        found = (min(len(keys), COUNT_LIMIT), len(keys) <= COUNT_LIMIT)
        if found[1]:
            queryset = queryset.filter(pk__in=keys)
    rows = queryset.order_by(*ordering)
    if backwards:
        rows = rows.reverse()
    if values is not None:
        # Past the cursor in the direction of travel.
        lookup = TupleLessThan if descending != backwards else TupleGreaterThan
        rows = rows.filter(lookup(key, values))
    rows = list(rows[: per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
        if not more:  # nothing before these: this is the first page, whatever the link said
            position = 0
    elif values is None:
        position = 0
    page = KeysetPage(rows=rows, per_page=per_page, position=position)

    def key_of(row) -> list:
        return [value(row, name) for name in names]

    if rows:
        # Going back, the page came from a later one; going on, from an earlier one.
        has_next = more or backwards
        has_previous = more if backwards else values is not None
        if has_previous:
            page.previous_cursor = encode_cursor(
                "before", key_of(rows[0]), max(page.position - per_page, 0)
            )
        if has_next:
            page.next_cursor = encode_cursor("after", key_of(rows[-1]), page.position + per_page)
    page.started = values is not None and (page.previous_cursor is not None or not rows)
    if count:
        page.count, page.exact = found or capped_count(queryset)
    return page


def request_page(
    request,
    queryset: QuerySet,
    ordering: Sequence[str],
    per_page: int,
    *,
    count: bool = True,
    search: bool = False,
) -> KeysetPage:
    """The page the request's ``cursor`` points at, with the pager's links (which keep the
    other parameters). A cursor that does not decode shows the first page, and says why."""
    query = request.GET.copy()
    query.pop("cursor", None)
    query.pop("page", None)  # the page numbers of older links: the first page
    try:
        cursor = request.GET.get("cursor", "")
        page = keyset_page(queryset, ordering, cursor, per_page, count=count, search=search)
    except InvalidInput as error:
        page = keyset_page(queryset, ordering, "", per_page, count=count, search=search)
        page.error = error.message
    return page.links(query.urlencode())
