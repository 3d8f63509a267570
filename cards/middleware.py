"""Response headers Django has no setting for."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin


class PermissionsPolicyMiddleware(MiddlewareMixin):
    """Adds ``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY`` (feature -> origins).

    A ``MiddlewareMixin`` so that it runs in the event loop under ASGI as well: one
    synchronous-only middleware would put every request, the waiting long polls too, in a thread.
    """

    def __init__(self, get_response) -> None:
        super().__init__(get_response)
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
