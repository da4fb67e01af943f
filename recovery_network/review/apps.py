from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "recovery_network.review"
    label = "review"
    verbose_name = "Network review"
