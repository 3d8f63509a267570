from django.contrib import admin

from webhooks.models import Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "team", "active", "allow_private_network", "created_at")
    list_filter = ("team", "active")
    exclude = ("secret",)
    readonly_fields = ("created_by", "created_at", "updated_at")
