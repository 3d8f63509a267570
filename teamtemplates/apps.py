from django.apps import AppConfig


class TeamTemplatesConfig(AppConfig):
    name = "teamtemplates"
    verbose_name = "Team templates"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from cards.models import ModelCard
        from teamtemplates.services import pin_new_card

        post_save.connect(pin_new_card, sender=ModelCard, dispatch_uid="teamtemplates.pin")
