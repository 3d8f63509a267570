from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("portfolio/", views.portfolio, name="portfolio"),
    path("teams/<int:team_id>/portfolio/", views.portfolio, name="team_portfolio"),
    path("teams/<int:team_id>/review-rules/", views.team_review_rules, name="rules"),
]
