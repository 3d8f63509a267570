from django.apps import AppConfig


class AttestationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "attestations"
    verbose_name = "Attestations"
