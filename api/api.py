"""The NinjaAPI at /api/v1/: token auth on every operation, problem+json for every refusal."""

from __future__ import annotations

from functools import wraps

from asgiref.sync import iscoroutinefunction
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from ninja import NinjaAPI

from api import attestations, cards, exports, history, problems, sagemaker, workflow
from api.auth import TokenAuth
from cards.events import token_channel

api = NinjaAPI(
    title="Model Card Studio API",
    version="1",
    description="Create and update SageMaker model card drafts from pipelines; people review "
    "and approve them in the browser. Authenticate with `Authorization: Bearer <token>`.",
    auth=TokenAuth(),
    urls_namespace="api_v1",
    docs_url=None,  # the docs page is ours (api.views.docs): no CDN
)
problems.install(api)
api.add_router("", cards.router)
api.add_router("", workflow.router)
api.add_router("", history.router)
api.add_router("", exports.router)
api.add_router("", attestations.router)
api.add_router("", sagemaker.router)


def _method_not_allowed(request, response):
    if response.status_code == 405 and not response.get("Content-Type", "").endswith(
        "problem+json"
    ):
        allowed = response.get("Allow", "")
        return problems.problem(
            request,
            status=405,
            title="Method not allowed",
            detail=f"{request.method} is not possible here; use {allowed}.",
            headers={"Allow": allowed},
        )
    return response


def _through_token_channel(view):
    if iscoroutinefunction(view):  # the long polls: they wait in the event loop

        @wraps(view)
        async def waiting(request, *args, **kwargs):
            with token_channel():
                response = await view(request, *args, **kwargs)
            return _method_not_allowed(request, response)

        return login_not_required(waiting)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        with token_channel():
            response = view(request, *args, **kwargs)
        return _method_not_allowed(request, response)

    # Tokens, not sessions: the sign-in page is no answer for a pipeline.
    return login_not_required(wrapped)


@login_not_required
def not_found(request, rest: str):
    return problems.problem(
        request,
        status=404,
        title="Not found",
        detail=f"There is no /api/v1/{rest}; see /api/v1/docs for what there is.",
    )


def urlpatterns() -> list:
    patterns, _, _ = api.urls
    for pattern in patterns:
        pattern.callback = _through_token_channel(pattern.callback)
    return [*patterns, path("<path:rest>", not_found)]
