"""The app's URLs plus a bare JsonResponse of the same rows as GET /api/v1/cards."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import path

from api.cards import _LIST_COLUMNS, PAGE_SIZE
from cards.models import ModelCard
from config.urls import urlpatterns as app_urlpatterns


@login_not_required
def bare_cards(request):
    rows = ModelCard.objects.order_by("-updated_at", "-pk").values(*_LIST_COLUMNS)[:PAGE_SIZE]
    return JsonResponse({"items": list(rows), "next": None})


urlpatterns = [path("bare/cards", bare_cards), *app_urlpatterns]
