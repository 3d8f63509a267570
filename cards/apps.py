from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "cards"
    verbose_name = "Model cards"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from cards.signin import record_lockout

        user_locked_out.connect(record_lockout, dispatch_uid="cards.record_lockout")
