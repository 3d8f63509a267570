"""The app's URLs plus a bare Django list page over the same table, for comparison."""

from django.urls import path
from django.views.generic import ListView

from cards.models import ModelCard
from config.urls import urlpatterns as app_urlpatterns


class BareCardList(ListView):
    queryset = ModelCard.objects.order_by("-updated_at", "-pk")
    paginate_by = 25
    template_name = "bare_list.html"


urlpatterns = [path("bare/", BareCardList.as_view()), *app_urlpatterns]
