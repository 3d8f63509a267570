from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat notifications"
    default_auto_field = "django.db.models.BigAutoField"
