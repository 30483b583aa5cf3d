"""Areas: province → county → city or village → municipal region, and electoral districts.

One tree of ``Area`` rows; an electoral district (*howze-ye entekhabiye*) is an area of its own
kind whose ``constituents`` may lie in several counties (Tehran, Rey, Tajrish).
``path`` (the codes from the root) makes roll-ups a prefix query.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    PROVINCE = "province", _("province")
    COUNTY = "county", _("county")
    DISTRICT = "district", _("electoral district")
    CITY = "city", _("city")
    VILLAGE = "village", _("village")
    REGION = "region", _("municipal region")


# Which kinds may sit under which: the tree's shape.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    AreaKind.PROVINCE: {None},
    AreaKind.COUNTY: {AreaKind.PROVINCE},
    AreaKind.DISTRICT: {AreaKind.PROVINCE},
    AreaKind.CITY: {AreaKind.COUNTY},
    AreaKind.VILLAGE: {AreaKind.COUNTY},
    AreaKind.REGION: {AreaKind.CITY},
}


class Area(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=AreaKind.choices, db_index=True)
    name_fa = models.CharField(_("Persian name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent area"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    population = models.PositiveIntegerField(_("population"), default=0)
    is_capital = models.BooleanField(
        _("national capital"), default=False, help_text=_("Tehran: the capital's council size rule")
    )
    constituents = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="districts",
        verbose_name=_("constituent areas"),
        help_text=_("For an electoral district: the cities and counties it covers."),
    )

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name_en if get_language() == "en" else self.name_fa

    @property
    def is_urban(self) -> bool:
        return self.kind in (AreaKind.CITY, AreaKind.REGION)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        parent_kind = self.parent.kind if self.parent_id else None
        if parent_kind not in ALLOWED_PARENTS.get(self.kind, set()):
            raise ValidationError(
                {"parent": _("A %(kind)s cannot lie under a %(parent)s.")
                 % {"kind": self.get_kind_display(), "parent": parent_kind or "—"}}
            )

    def save(self, *args, **kwargs) -> None:
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        super().save(*args, **kwargs)

    def ancestors_and_self(self) -> list[Area]:
        chain: list[Area] = []
        node: Area | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain
