from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "entekhab.hq.web"
    label = "web"
    verbose_name = _("Web pages")

    def ready(self) -> None:
        from entekhab.hq.web.display import persian_in_admin

        persian_in_admin()
