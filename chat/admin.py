from django.contrib import admin

from chat.models import ChatChannel


@admin.register(ChatChannel)
class ChatChannelAdmin(admin.ModelAdmin):
    """To look and pause; channels are added on the team's Chat page (which checks the
    address and records the change in the audit log). The URL is the credential: not shown."""

    list_display = ("name", "service", "team", "active", "allow_private_network", "created_at")
    list_filter = ("service", "team", "active")
    exclude = ("url",)
    readonly_fields = (
        "team",
        "service",
        "name",
        "events",
        "created_by",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request) -> bool:
        return False
