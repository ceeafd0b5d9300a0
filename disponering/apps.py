from django.apps import AppConfig


class DisponeringConfig(AppConfig):
    name = "disponering"
    verbose_name = "Disponering"
