from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dinhdanh.api"
    label = "api"
