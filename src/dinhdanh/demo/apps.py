from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "dinhdanh.demo"
    label = "demo"

    def ready(self) -> None:
        # The app's audit action codes join the kernel's registry (decision 0024).
        from dinhdanh.demo import audit_actions  # noqa: F401
