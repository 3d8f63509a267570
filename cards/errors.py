"""The one refusal vocabulary: what services, parsers and the SageMaker client raise.

Every refusal is a ``StudioError`` whose message says, in the user's words, what happened and
what to do. Callers branch only on the few subclasses below; the pages render any of them in
one place (``cards.views.refusals``) and the API turns them into ``application/problem+json``
with the class's HTTP status. A new refusal needs no new ``except`` anywhere.

This module imports nothing from the app, so every layer (``cards.content`` included) may
raise these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied


class StudioError(Exception):
    """A refusal a person can act on."""

    status = 400
    title = "Refused"

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        # The input it is about, in the service's own words (a keyword argument such as
        # "name" or "raw"); screens map it to their field. Empty: about the whole request.
        self.field = field

    def messages(self) -> list[tuple[str, str]]:
        """(field, message) pairs, for screens that show several problems at once."""
        return [(self.field, self.message)]


class NotFound(StudioError):
    status = 404
    title = "Not found"


class NotAllowed(StudioError, PermissionDenied):
    """The user's role does not allow it (a PermissionDenied, so Django answers 403)."""

    status = 403
    title = "Not allowed"


class StaleRevision(StudioError):
    """Someone saved the card since the revision the request was based on."""

    status = 409
    title = "The card changed"

    def __init__(self, message: str, *, current: Any) -> None:
        super().__init__(message)
        self.current = current  # the card as it is now


class TransitionRefused(StudioError):
    """The card's state does not allow it: archived, not a draft, already published..."""

    status = 409
    title = "Not possible in this state"


class AlreadyExists(TransitionRefused):
    """What was asked for is here already (a card imported from the same SageMaker card)."""


class InvalidInput(StudioError):
    """Input that cannot be used as it is; ``problems`` name where, when there are several."""

    status = 422
    title = "Invalid input"

    def __init__(
        self, message: str, *, field: str = "", problems: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__(message, field=field)
        self.problems = list(problems)

    def messages(self) -> list[tuple[str, str]]:
        return self.problems or super().messages()


class TooManyRequests(StudioError):
    """Throttled (wrong API tokens from one address); ``retry_after`` in seconds."""

    status = 429
    title = "Too many requests"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RemoteError(StudioError):
    """About a service this app depends on (SageMaker, S3): it refused the server's request
    (access, configuration), or, as a subclass says, it did not answer (``Unavailable``) or
    the input names something it does not have (``InvalidInput`` as well, 422)."""

    status = 502
    title = "Refused by AWS"


class Unavailable(RemoteError):
    """A service this app depends on did not answer (an outage, throttling): only this is a
    503, with Retry-After, so that a pipeline retrying on 503 retries what may then work."""

    status = 503
    title = "Unavailable"
    retry_after = 30


class ChangedInSageMaker(TransitionRefused):
    """SageMaker holds a version of the card someone else wrote (the drift check's mark):
    publishing over it waits until a person compares the two and chooses what to keep."""

    title = "Changed in SageMaker"

    def __init__(self, message: str, *, version: int) -> None:
        super().__init__(message)
        self.version = version  # the SageMaker version someone else wrote
