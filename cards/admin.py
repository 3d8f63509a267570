from django.contrib import admin

from cards.models import (
    AuditEvent,
    CardRevision,
    EvaluationReport,
    Membership,
    ModelCard,
    Team,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(ModelCard)
class ModelCardAdmin(admin.ModelAdmin):
    # Cards are written through the wizard and its services (which record revisions);
    # the admin only looks.
    list_display = ["name", "team", "status", "risk_rating", "revision", "updated_at"]
    list_filter = ["status", "risk_rating", "team"]
    search_fields = ["name", "model_name", "model_id"]
    list_select_related = ["team"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CardRevision)
class CardRevisionAdmin(admin.ModelAdmin):
    list_display = ["card", "number", "status", "author", "created_at", "note"]
    list_select_related = ["card", "author"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EvaluationReport)
class EvaluationReportAdmin(admin.ModelAdmin):
    list_display = ["card", "report_type", "source", "evaluation_job", "created_at"]
    list_select_related = ["card"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Reports are evidence: they leave only with their card (a deleted draft).
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    # Read only: the database refuses UPDATE and DELETE anyway (a trigger), and the
    # admin must not offer what would fail.
    list_display = ["at", "actor", "action", "card_name", "team_id", "revision", "detail"]
    list_filter = ["action"]
    search_fields = ["card_name", "actor__username", "detail"]
    list_select_related = ["actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
