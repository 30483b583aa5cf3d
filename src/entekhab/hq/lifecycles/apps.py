from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecyclesConfig(AppConfig):
    name = "entekhab.hq.lifecycles"
    label = "lifecycles"
    verbose_name = _("Lifecycles")
