"""The election event, its contests, polling branches and ballot styles."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from entekhab.domain.council_size import Settlement
from entekhab.domain.jalali import format_datetime_fa, format_jalali, format_jalali_en
from entekhab.domain.lifecycle import ElectionState
from entekhab.hq.geography.models import Area


class Election(models.Model):
    """One polling day on which several contests are held together."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fa = models.CharField(_("Persian name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    polling_date = models.DateField(_("polling date"))
    opens_at = models.TimeField(_("opening time"), default=dt.time(8, 0))
    closes_at = models.TimeField(_("closing time"), default=dt.time(18, 0))
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=[(s.value, s.value) for s in ElectionState],
        default=ElectionState.DRAFT.value,
    )

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-polling_date"]

    def __str__(self) -> str:
        return self.name_en if get_language() == "en" else self.name_fa

    @property
    def polling_date_jalali(self) -> str:
        return format_jalali(self.polling_date, long=True)

    @property
    def polling_date_display(self) -> str:
        """In Persian the Jalali date alone ('11 Ordibehesht 1405' in Persian digits); in English both calendars."""
        if get_language() == "en":
            return f"{self.polling_date.isoformat()} ({format_jalali_en(self.polling_date)})"
        return self.polling_date_jalali

    def effective_closing(self) -> dt.datetime | None:
        last = self.extensions.order_by("-until").first()
        return last.until if last else None


class PollExtension(models.Model):
    """The interior minister's extension of polling hours: who, until when, why."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("election")
    )
    until = models.DateTimeField(_("extended until"))
    extended_by = models.CharField(_("extended by"), max_length=150)
    reason = models.TextField(_("reason"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("polling extension")
        verbose_name_plural = _("polling extensions")
        ordering = ["until"]

    def __str__(self) -> str:
        return f"{self.election} → {format_datetime_fa(self.until)}"


class Office(models.TextChoices):
    CITY_COUNCIL = "city_council", _("city council")
    VILLAGE_COUNCIL = "village_council", _("village council")
    ASSEMBLY_OF_EXPERTS = "experts", _("Assembly of Experts")
    MAJLIS = "majlis", _("Majlis")


class CountingMethod(models.TextChoices):
    PROPORTIONAL_LIST = "proportional-list", _("proportional (lists and individuals)")
    PLURALITY = "plurality", _("plurality (block vote)")


class ListMixPolicy(models.TextChoices):
    """DOMAIN.md §3.1: the law does not say whether a list code may be combined with
    individual codes. Default: forbidden."""

    FORBIDDEN = "forbidden", _("a list code cannot be combined with individual codes")
    UNION = "union", _("a list code and individual codes combine, up to the seat limit")


class AlternatesPolicy(models.TextChoices):
    """How alternates are drawn under PR is not published (DOMAIN.md §3.1)."""

    NEXT_IN_GROUP = "next-in-group", _("each group's next highest members")
    OVERALL_HIGHEST = "overall-highest", _("the highest unelected candidates overall")


class Contest(models.Model):
    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="contests", verbose_name=_("election")
    )
    code = models.SlugField(_("code"), max_length=60)
    office = models.CharField(_("office"), max_length=20, choices=Office.choices)
    method = models.CharField(
        _("counting method"), max_length=20, choices=CountingMethod.choices
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="contests", verbose_name=_("area")
    )
    name_fa = models.CharField(_("Persian name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    seats = models.PositiveSmallIntegerField(
        _("seats"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    alternates = models.PositiveSmallIntegerField(_("alternates"), default=0)
    is_by_election = models.BooleanField(_("by-election"), default=False)
    list_mix_policy = models.CharField(
        _("list and individual codes"),
        max_length=12,
        choices=ListMixPolicy.choices,
        default=ListMixPolicy.FORBIDDEN,
    )
    alternates_policy = models.CharField(
        _("alternates under PR"),
        max_length=20,
        choices=AlternatesPolicy.choices,
        default=AlternatesPolicy.NEXT_IN_GROUP,
    )
    max_codes = models.PositiveSmallIntegerField(
        _("most codes on one ballot"),
        null=True,
        blank=True,
        help_text=_("Defaults to the number of seats."),
    )

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["election", "code"]
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="contest_code_unique"),
            models.CheckConstraint(condition=Q(seats__gte=1), name="contest_seats_positive"),
        ]

    def __str__(self) -> str:
        return self.name_en if get_language() == "en" else self.name_fa

    @property
    def codes_allowed(self) -> int:
        return self.max_codes or self.seats

    def clean(self) -> None:
        if self.method == CountingMethod.PROPORTIONAL_LIST and self.office != Office.CITY_COUNCIL:
            raise ValidationError(
                {"method": _("Only a city council is counted proportionally.")}
            )
        if self.max_codes is not None and self.max_codes > self.seats:
            raise ValidationError({"max_codes": _("A ballot cannot hold more codes than seats.")})


class CouncilSizeRule(models.Model):
    """DOMAIN.md §3.2 as an editable table; seeded from ``domain.council_size``."""

    settlement = models.CharField(
        _("settlement"), max_length=10, choices=[(s.value, s.value) for s in Settlement]
    )
    min_population = models.PositiveIntegerField(_("from population (inclusive)"))
    max_population = models.PositiveIntegerField(
        _("to population (exclusive)"), null=True, blank=True
    )
    seats = models.PositiveSmallIntegerField(_("seats"))
    alternates = models.PositiveSmallIntegerField(_("alternates"))
    source = models.CharField(_("legal source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("council size rule")
        verbose_name_plural = _("council size rules")
        ordering = ["settlement", "min_population"]

    def __str__(self) -> str:
        return f"{self.get_settlement_display()} ≥ {self.min_population}: {self.seats} (+{self.alternates})"


class VenueType(models.TextChoices):
    SCHOOL = "school", _("school")
    MOSQUE = "mosque", _("mosque")
    HALL = "hall", _("hall")
    GOVERNMENT = "government", _("government office")
    OTHER = "other", _("other")


class BallotStyle(models.Model):
    """The set of contests a voter at a branch sees; computed, one per branch."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="ballot_styles", verbose_name=_("election")
    )
    code = models.CharField(_("code"), max_length=64)
    contests = models.ManyToManyField(Contest, related_name="ballot_styles", verbose_name=_("contests"))

    class Meta:
        verbose_name = _("ballot style")
        verbose_name_plural = _("ballot styles")
        constraints = [
            models.UniqueConstraint(fields=["election", "code"], name="ballot_style_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Branch(models.Model):
    """A polling branch (*shoabe-ye akhz-e ra'y*) of one election."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="branches", verbose_name=_("election")
    )
    number = models.PositiveIntegerField(_("branch number"))
    code = models.CharField(_("code"), max_length=40)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="branches", verbose_name=_("area")
    )
    venue_type = models.CharField(_("venue type"), max_length=12, choices=VenueType.choices)
    venue_name = models.CharField(_("venue name"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    is_mobile = models.BooleanField(_("mobile branch"), default=False)
    is_urban = models.BooleanField(_("urban"), default=True)
    eligible_estimate = models.PositiveIntegerField(_("estimated eligible voters"), default=0)
    ballot_style = models.ForeignKey(
        BallotStyle,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("ballot style"),
    )

    class Meta:
        verbose_name = _("polling branch")
        verbose_name_plural = _("polling branches")
        ordering = ["election", "number"]
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="branch_number_unique"),
            models.UniqueConstraint(fields=["election", "code"], name="branch_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}"
