from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "recovery_network.learning"
    label = "learning"
    verbose_name = "Learning to help"
