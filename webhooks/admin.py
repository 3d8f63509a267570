from django.contrib import admin

from webhooks.models import Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    """To look and pause; webhooks are made on the team's Webhooks page (which makes the
    secret, checks the address and records the change in the audit log)."""

    list_display = ("url", "team", "active", "allow_private_network", "created_at")
    list_filter = ("team", "active")
    exclude = ("secret",)
    readonly_fields = ("team", "url", "events", "created_by", "created_at", "updated_at")

    def has_add_permission(self, request) -> bool:
        return False
