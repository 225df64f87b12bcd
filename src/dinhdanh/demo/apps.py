from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "dinhdanh.demo"
    label = "demo"
