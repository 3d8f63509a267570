from django.apps import AppConfig


class TeamTemplatesConfig(AppConfig):
    name = "teamtemplates"
    verbose_name = "Team templates"
