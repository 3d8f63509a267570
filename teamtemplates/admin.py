from django.contrib import admin

from teamtemplates.models import CardTemplateUse, TemplateVersion


@admin.register(TemplateVersion)
class TemplateVersionAdmin(admin.ModelAdmin):
    """Read-only: versions are made on the team's template page (and audited there)."""

    list_display = ["team", "number", "created_by", "created_at", "note"]
    list_filter = ["team"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CardTemplateUse)
class CardTemplateUseAdmin(TemplateVersionAdmin):
    list_display = ["card", "version", "recorded_at"]
    list_filter = []
