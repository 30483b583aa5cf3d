"""Who holds which office where: an appointment is a role inside one body's area or branch.

Roles are Django groups (``roles.py``) and say *what* a person may do; an appointment says
*where*. A county's executive board member holds ``executive_board`` for that county, a
branch head holds ``branch_head`` for one branch. Groups are derived from appointments by
:func:`entekhab.hq.accounts.actions.do_appoint`, so nobody holds a role without a place.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from entekhab.hq.accounts.roles import Role


class Appointment(models.Model):
    """One role held by one person for one election, in an area (and its sub-areas) or one branch.

    No area and no branch means the whole election (the headquarters and the central boards).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appointments",
                             verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=32, choices=[(r.value, r.value) for r in Role])
    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="appointments", verbose_name=_("election"))
    area = models.ForeignKey("geography.Area", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="appointments", verbose_name=_("area"))
    branch = models.ForeignKey("elections.Branch", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="appointments", verbose_name=_("branch"))
    appointed_by = models.CharField(_("appointed by"), max_length=150)
    reason = models.TextField(_("reason"), blank=True)
    appointed_at = models.DateTimeField(_("appointed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["user_id", "role"]
        constraints = [
            # A branch post names its branch, and a branch post is never also an area post.
            models.CheckConstraint(
                condition=~Q(role__in=["branch_head", "operator"]) | Q(branch__isnull=False),
                name="appointment_branch_role_has_branch",
            ),
            models.CheckConstraint(
                condition=Q(branch__isnull=True) | Q(area__isnull=True),
                name="appointment_branch_or_area",
            ),
        ]

    def __str__(self) -> str:
        where = self.branch or self.area or "*"
        return f"{self.user} · {self.get_role_display()} · {where}"
