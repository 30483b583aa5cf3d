from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "entekhab.hq.results"
    label = "results"
    verbose_name = _("Results and publication")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from entekhab.hq.results.signals import absorb_on_save, reset_on_report_removal

        post_save.connect(absorb_on_save, sender="polling.BranchReport", dispatch_uid="results-absorb")
        post_delete.connect(reset_on_report_removal, sender="results.CountedReport", dispatch_uid="results-reset")
