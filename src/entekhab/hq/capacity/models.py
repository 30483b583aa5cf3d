"""Saved scenarios, plan runs and their stored results (per branch and per area), so pages are fast.

A scenario row holds the JSON that the pure parser (``entekhab.planning.scenario.Scenario``)
accepts; a run keeps a copy of the scenario it used, so a later edit never changes a
published plan. Unbounded waits (a branch with no device of a kind) are stored as NULL.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from entekhab.domain.lifecycle import Lifecycle
from entekhab.i18n import N_, Catalogued, en_fa
from entekhab.planning.sizing import DeviceNeeds


class PlanScenario(models.Model):
    """One turnout scenario of an election, edited in the HQ app."""

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="plan_scenarios",
                                 verbose_name=_("election"))
    name = models.CharField(_("name"), max_length=80)
    definition = models.JSONField(_("scenario (JSON)"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))

    class Meta:
        verbose_name = _("planning scenario")
        verbose_name_plural = _("planning scenarios")
        ordering = ["election", "name"]
        constraints = [models.UniqueConstraint(fields=["election", "name"], name="plan_scenario_name_unique")]

    def __str__(self) -> str:
        return self.name

    def parsed(self) -> Any:
        """The pure scenario (raises PlanningInputError if the stored JSON is not valid)."""
        from entekhab.planning.scenario import Scenario

        return Scenario.from_dict(self.definition)


class RunState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


RUN_STATE_FA = Catalogued("run state", {
    RunState.RUNNING: N_("running"),
    RunState.DONE: N_("done"),
    RunState.FAILED: N_("failed"),
})
# A finished run is never re-opened: its results are what was published.
RUN = Lifecycle(*en_fa("plan run"), RunState,
                {RunState.RUNNING: frozenset({RunState.DONE, RunState.FAILED})}, RUN_STATE_FA)


class InventorySource(models.TextChoices):
    ALLOCATED = "allocated", _("devices allocated to branches (operations)")
    DEFAULT = "default", _("default inventory policy (no device allocated yet)")


INVENTORY_SOURCE_FA = Catalogued("inventory source", {
    InventorySource.ALLOCATED: N_("allocated"),
    InventorySource.DEFAULT: N_("default"),
})


class PlanRun(models.Model):
    """One run of the planner over an election's branches under one scenario."""

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="plan_runs",
                                 verbose_name=_("election"))
    scenario = models.ForeignKey(PlanScenario, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="runs", verbose_name=_("scenario"))
    scenario_name = models.CharField(_("scenario name"), max_length=80)
    scenario_definition = models.JSONField(_("scenario used"))
    scope = models.CharField(_("electoral district (blank: every branch)"), max_length=40, blank=True)
    district_code = models.CharField(_("planned area"), max_length=40, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=[(s.value, RUN_STATE_FA[s]) for s in RunState],
                             default=RunState.RUNNING.value)
    inventory_source = models.CharField(_("inventory"), max_length=10, choices=InventorySource.choices,
                                        default=InventorySource.DEFAULT)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("started by"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    seconds = models.FloatField(_("computing time (s)"), null=True, blank=True)
    error_en = models.TextField(_("error"), blank=True)
    error_fa = models.TextField(_("error (Persian)"), blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    charts = models.JSONField(_("charts (SVG)"), default=dict, blank=True)
    # The queued task computing a background run (django-tasks); NULL for a run computed in its request.
    # Nullable without a default, so SQLite adds the column in place and the lifecycle trigger stays.
    task_id = models.CharField(_("queued task"), max_length=64, null=True, blank=True)

    class Meta:
        verbose_name = _("plan run")
        verbose_name_plural = _("plan runs")
        ordering = ["-started_at", "-id"]
        permissions = [("run_plan", "Can run a capacity plan")]

    def __str__(self) -> str:
        return f"{self.scenario_name} #{self.pk}"

    @property
    def state_fa(self) -> str:
        return RUN_STATE_FA[RunState(self.state)]

    @property
    def inventory_source_fa(self) -> str:
        return INVENTORY_SOURCE_FA[InventorySource(self.inventory_source)]

    @property
    def is_done(self) -> bool:
        return self.state == RunState.DONE


class BranchPlan(DeviceNeeds, models.Model):
    """One branch's result in a run: its load, the devices it needs and has, the waits."""

    run = models.ForeignKey(PlanRun, on_delete=models.CASCADE, related_name="branch_plans", verbose_name=_("run"))
    branch = models.ForeignKey("elections.Branch", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("polling branch"))
    code = models.CharField(_("code"), max_length=40)
    region_code = models.CharField(_("region"), max_length=40)
    county_code = models.CharField(_("county"), max_length=40)
    ballot = models.CharField(_("ballot shape"), max_length=40)
    eligible_voters = models.PositiveIntegerField(_("eligible voters"))
    expected_voters = models.FloatField(_("expected voters"))
    auth_needed = models.PositiveIntegerField(_("authentication devices needed"))
    eboxes_needed = models.PositiveIntegerField(_("e-boxes needed"))
    auth_spares = models.PositiveIntegerField(_("authentication spares at the branch"))
    ebox_spares = models.PositiveIntegerField(_("e-box spares at the branch"))
    auth_available = models.PositiveIntegerField(_("authentication devices available"))
    eboxes_available = models.PositiveIntegerField(_("e-boxes available"))
    analytic_auth = models.PositiveIntegerField(_("Erlang C authentication devices"))
    analytic_eboxes = models.PositiveIntegerField(_("Erlang C e-boxes"))
    quantile_wait = models.FloatField(_("percentile wait with the planned devices (min)"))
    mean_wait = models.FloatField(_("mean wait with the planned devices (min)"))
    minimal = models.BooleanField(_("one device fewer misses the target"))
    inventory_quantile_wait = models.FloatField(_("percentile wait with today's inventory (min)"), null=True)
    inventory_meets_target = models.BooleanField(_("meets the target with today's inventory"))
    hours = models.JSONField(_("hourly arrivals and waits"), default=list)

    class Meta:
        verbose_name = _("branch plan")
        verbose_name_plural = _("branch plans")
        ordering = ["run", "code"]
        constraints = [models.UniqueConstraint(fields=["run", "code"], name="branch_plan_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.code}"

    @property
    def shortfall(self) -> int:
        return self.auth_shortfall + self.ebox_shortfall


class AreaLevel(models.TextChoices):
    REGION = "region", _("region")
    COUNTY = "county", _("county")
    DISTRICT = "district", _("district")


class AreaPlan(models.Model):
    """A roll-up of a run to one region, county or the whole planned area."""

    run = models.ForeignKey(PlanRun, on_delete=models.CASCADE, related_name="area_plans", verbose_name=_("run"))
    level = models.CharField(_("level"), max_length=10, choices=AreaLevel.choices)
    area_code = models.CharField(_("area"), max_length=40)
    branches = models.PositiveIntegerField(_("branches"))
    eligible_voters = models.PositiveIntegerField(_("eligible voters"))
    expected_voters = models.FloatField(_("expected voters"))
    auth_needed = models.PositiveIntegerField(_("authentication devices needed"))
    auth_spares = models.PositiveIntegerField(_("authentication spares"))
    auth_available = models.PositiveIntegerField(_("authentication devices available"))
    auth_to_deliver = models.PositiveIntegerField(_("authentication devices to deliver"))
    ebox_needed = models.PositiveIntegerField(_("e-boxes needed"))
    ebox_spares = models.PositiveIntegerField(_("e-box spares"))
    ebox_available = models.PositiveIntegerField(_("e-boxes available"))
    ebox_to_deliver = models.PositiveIntegerField(_("e-boxes to deliver"))
    branches_short = models.PositiveIntegerField(_("branches short of devices"))
    worst_quantile_wait = models.FloatField(_("worst percentile wait (min)"), null=True)
    mean_quantile_wait = models.FloatField(_("mean percentile wait (min)"), null=True)

    class Meta:
        verbose_name = _("area plan")
        verbose_name_plural = _("area plans")
        ordering = ["run", "level", "area_code"]
        constraints = [models.UniqueConstraint(fields=["run", "level", "area_code"], name="area_plan_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.level}:{self.area_code}"

    @property
    def auth_required(self) -> int:
        return self.auth_needed + self.auth_spares

    @property
    def ebox_required(self) -> int:
        return self.ebox_needed + self.ebox_spares

    @property
    def auth_shortfall(self) -> int:
        return max(0, self.auth_required - self.auth_available)

    @property
    def ebox_shortfall(self) -> int:
        return max(0, self.ebox_required - self.ebox_available)
