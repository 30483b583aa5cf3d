"""The scenario form: familiar fields (percentages, minutes) turned into the scenario JSON.

Range checks are left to the pure parser on purpose, so that the form, the API and the
CLI refuse the same values with the same words; the refusal is shown in Persian on the
field it concerns, with the field's path in the scenario.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms

from entekhab.domain.digits import COMMA, DECIMAL_SEPARATOR, to_ascii_digits
from entekhab.hq.web.forms import bi
from entekhab.i18n import both, gettext_in, render
from entekhab.planning.profiles import PRESETS
from entekhab.planning.validate import PlanningInputError

PROFILE_CHOICES = [
    ("official", bi(*both("official"))),
    ("extended", bi(*both("extended"))),
    ("flat", bi(*both("flat"))),
    ("custom", bi(*both("custom"))),
]

# The scenario path a refusal names → the form field that shows it (longest prefix wins).
FIELD_OF_PATH = {
    "scenario.name": "name",
    "scenario.turnout_overrides": "turnout_overrides",
    "scenario.turnout": "turnout_percent",
    "scenario.profile": "weights",
    "profile": "weights",
    "scenario.target.quantile": "quantile_percent",
    "target.quantile": "quantile_percent",
    "scenario.target.max_wait_minutes": "max_wait_minutes",
    "target.max_wait_minutes": "max_wait_minutes",
    "scenario.reserve": "reserve_percent",
    "reserve": "reserve_percent",
    "scenario.seed": "seed",
    "scenario.replications": "replications",
    "scenario.devices_ready_minutes": "devices_ready_minutes",
    "scenario.ballot_timing.per_code_seconds": "per_code_seconds",
    "scenario.ballot_timing": "advanced",
    "scenario.authentication": "advanced",
    "scenario": "advanced",
}


def field_for(path: str) -> str | None:
    for prefix in sorted(FIELD_OF_PATH, key=len, reverse=True):
        if path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "["):
            return FIELD_OF_PATH[prefix]
    return None


def _number(text: str) -> float:
    return float(to_ascii_digits(text.strip()).replace(DECIMAL_SEPARATOR, ".").replace("/", "."))


class ScenarioForm(forms.Form):
    name = forms.CharField(label=bi(*both("name")), max_length=80)
    turnout_percent = forms.FloatField(label=bi(*both("turnout %%")))
    profile = forms.ChoiceField(label=bi(*both("arrival profile")), choices=PROFILE_CHOICES)
    opening_hour = forms.IntegerField(label=bi(*both("opening hour")), required=False,
                                      initial=8)
    weights = forms.CharField(label=bi(*both("hourly weights")), required=False,
                              widget=forms.TextInput(attrs={"dir": "ltr"}))
    quantile_percent = forms.FloatField(label=bi(*both("target percentile")), initial=95)
    max_wait_minutes = forms.FloatField(label=bi(*both("max wait, min")), initial=30)
    reserve_percent = forms.FloatField(label=bi(*both("reserve %%")), initial=12)
    reserve_pooled = forms.BooleanField(label=bi(*both("pooled per region")), required=False,
                                        initial=True)
    per_code_seconds = forms.FloatField(label=bi(*both("seconds per code")), initial=7)
    devices_ready_minutes = forms.FloatField(label=bi(*both("devices ready after, min")),
                                             initial=0)
    seed = forms.IntegerField(label=bi(*both("seed")), initial=1405)
    replications = forms.IntegerField(label=bi(*both("simulated days")), initial=3)
    turnout_overrides = forms.CharField(
        label=bi(*both("per-branch turnout: 'CODE PERCENT' per line")), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}))
    advanced = forms.CharField(
        label=bi(*both("advanced settings, JSON: authentication and ballot_timing")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr"}))

    @classmethod
    def initial_from(cls, definition: dict[str, Any]) -> dict[str, Any]:
        """Form values showing a stored scenario."""
        profile = definition.get("profile", "official")
        name = profile if isinstance(profile, str) else next(
            (n for n, p in PRESETS.items() if p.as_dict() == profile), "custom")
        target = definition.get("target", {})
        reserve = definition.get("reserve", {})
        timing = dict(definition.get("ballot_timing", {}))
        per_code = timing.pop("per_code_seconds", 7)
        advanced = {k: v for k, v in (("authentication", definition.get("authentication")),
                                      ("ballot_timing", timing)) if v}
        return {
            "name": definition.get("name", ""),
            "turnout_percent": round(definition.get("turnout", 0) * 100, 6),
            "profile": name,
            "opening_hour": profile.get("opening_hour", 8) if isinstance(profile, dict) else 8,
            "weights": ", ".join(f"{w:g}" for w in profile.get("weights", [])) if name == "custom" else "",
            "quantile_percent": round(target.get("quantile", 0.95) * 100, 6),
            "max_wait_minutes": target.get("max_wait_minutes", 30),
            "reserve_percent": reserve.get("percent", 12),
            "reserve_pooled": reserve.get("pooled", True),
            "per_code_seconds": per_code,
            "devices_ready_minutes": definition.get("devices_ready_minutes", 0),
            "seed": definition.get("seed", 1405),
            "replications": definition.get("replications", 3),
            "turnout_overrides": "\n".join(f"{c} {v * 100:g}"
                                           for c, v in sorted(definition.get("turnout_overrides", {}).items())),
            "advanced": json.dumps(advanced, ensure_ascii=False, indent=1) if advanced else "",
        }

    def definition(self) -> dict[str, Any] | None:
        """The scenario JSON the fields describe, or None with the form's errors set."""
        d = self.cleaned_data
        out: dict[str, Any] = {
            "name": d["name"],
            "turnout": d["turnout_percent"] / 100,
            "target": {"quantile": d["quantile_percent"] / 100, "max_wait_minutes": d["max_wait_minutes"]},
            "reserve": {"percent": d["reserve_percent"], "pooled": bool(d["reserve_pooled"])},
            "seed": d["seed"],
            "replications": d["replications"],
            "devices_ready_minutes": d["devices_ready_minutes"],
            "ballot_timing": {"per_code_seconds": d["per_code_seconds"]},
        }
        if d["profile"] == "custom":
            raw = d.get("weights") or ""
            weights = []
            for i, token in enumerate(t for t in raw.replace(COMMA, ",").split(",") if t.strip()):
                try:
                    weights.append(_number(token))
                except ValueError:
                    self.add_error("weights", render("scenario.profile.weights[%(i)s]: «%(token)s» is not a number",
                                                     {"i": i, "token": token.strip()}, "fa"))
                    return None
            hour = d.get("opening_hour")
            out["profile"] = {"opening_hour": 8 if hour is None else hour, "weights": weights}
        else:
            out["profile"] = d["profile"]
        overrides: dict[str, float] = {}
        for line in (d.get("turnout_overrides") or "").splitlines():
            parts = line.split()
            if not parts:
                continue
            try:
                if len(parts) != 2:
                    raise ValueError(line)
                overrides[parts[0]] = _number(parts[1]) / 100
            except ValueError:
                self.add_error("turnout_overrides",
                               render("scenario.turnout_overrides: the line «%(line)s» must be «code percent»",
                                      {"line": line.strip()}, "fa"))
                return None
        if overrides:
            out["turnout_overrides"] = overrides
        advanced = (d.get("advanced") or "").strip()
        if advanced:
            try:
                extra = json.loads(advanced)
            except json.JSONDecodeError as exc:
                self.add_error("advanced", render("invalid JSON (%(msg)s, line %(line)s)",
                                                  {"msg": exc.msg, "line": exc.lineno}, "fa"))
                return None
            if not isinstance(extra, dict) or set(extra) - {"authentication", "ballot_timing"}:
                self.add_error(
                    "advanced", gettext_in("fa", "only an object with the keys authentication and ballot_timing")
                )
                return None
            if "authentication" in extra:
                out["authentication"] = extra["authentication"]
            if "ballot_timing" in extra:
                timing = extra["ballot_timing"]
                out["ballot_timing"] = {**timing, "per_code_seconds": d["per_code_seconds"]} if isinstance(
                    timing, dict) else timing
        return out

    def refuse(self, exc: PlanningInputError | Exception) -> None:
        """Show a refusal of the parser (or an action) in Persian on the field it names."""
        fa = getattr(exc, "message_fa", str(exc))
        path = getattr(exc, "field", None) or fa.split(":", 1)[0]
        self.add_error(field_for(path), fa)
