from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistriesConfig(AppConfig):
    name = "dinhdanh.registries"
    label = "registries"
    verbose_name = _("Danh sách tham chiếu")
