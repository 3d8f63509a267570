from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from cards.events import Kind, kind_label
from cards.models import (
    AuditEvent,
    AwsTarget,
    CardRevision,
    EvaluationReport,
    Membership,
    ModelCard,
    Team,
)
from cards.services import team_roles, team_roles_record, user_rights, user_rights_record


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    def save_related(self, request, form, formsets, change):
        # The memberships are the inline's: they change here, after the team is saved.
        team = form.instance
        before = team_roles(team) if change else {}
        super().save_related(request, form, formsets, change)
        team_roles_record(actor=request.user, team=team, before=before, after=team_roles(team))

    def delete_model(self, request, obj):
        self.delete_queryset(request, Team.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        for team in queryset:
            team_roles_record(
                actor=request.user,
                team=team,
                before=team_roles(team),
                after={},
                why="the team was deleted",
            )
        super().delete_queryset(request, queryset)


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class AuditedUserAdmin(UserAdmin):
    """Django's user admin; making someone a site admin (or undoing it) is audited."""

    def save_model(self, request, obj, form, change):
        before = user_rights(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        if not change:
            before = {name: False for name in user_rights(obj)} | {"is_active": True}
        user_rights_record(actor=request.user, user=obj, before=before)


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


class KindFilter(admin.SimpleListFilter):
    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return Kind.choices

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    # Read only: the database refuses UPDATE and DELETE anyway (a trigger), and the
    # admin must not offer what would fail.
    list_display = ["at", "actor", "what", "card_name", "team_id", "revision", "detail"]
    list_filter = [KindFilter]
    search_fields = ["card_name", "actor__username", "detail"]
    list_select_related = ["actor"]
    date_hierarchy = "at"

    @admin.display(description="action", ordering="action")
    def what(self, event: AuditEvent) -> str:
        return kind_label(event.action)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AwsTarget)
class AwsTargetAdmin(admin.ModelAdmin):
    """Read only: targets are set on the studio's AWS targets page, which audits each change
    and keeps a retired target for the cards published there."""

    list_display = ["team", "label", "account_id", "region", "retired_at"]
    list_filter = ["region"]
    readonly_fields = [f.name for f in AwsTarget._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
