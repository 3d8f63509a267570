"""The role mapping, edited by site admins in the Django admin; every change is audited."""

from __future__ import annotations

from django.contrib import admin

from cards.events import Kind, event_record
from sso.models import Identity, RoleMapping


def record(request, verb: str, mapping: RoleMapping) -> None:
    event_record(
        card=None,
        actor=request.user,
        kind=Kind.SSO_MAPPING,
        detail=f"{verb} “{mapping.claim_value}” → {mapping.gives()}",
    )


@admin.register(RoleMapping)
class RoleMappingAdmin(admin.ModelAdmin):
    list_display = ["claim_value", "team", "role", "site_admin"]
    list_select_related = ["team"]
    list_filter = ["team", "role", "site_admin"]
    search_fields = ["claim_value"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def save_model(self, request, obj, form, change):
        before = RoleMapping.objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        if before is None:
            record(request, "Added", obj)
        else:
            was = f"“{before.claim_value}” → {before.gives()}"
            record(request, f"Changed {was} to", obj)

    def delete_model(self, request, obj):
        record(request, "Removed", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for mapping in queryset.select_related("team"):
            record(request, "Removed", mapping)
        super().delete_queryset(request, queryset)


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "subject", "issuer", "last_sign_in"]
    list_select_related = ["user"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["user", "issuer", "subject", "created_at", "last_sign_in"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
