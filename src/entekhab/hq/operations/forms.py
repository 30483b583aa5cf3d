"""The inspection form: one rating, responsible body, note (and photo) per checklist item."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from entekhab.domain.digits import to_ascii_digits
from entekhab.domain.readiness import (
    BODY_FA,
    CHECKLIST,
    RATING_FA,
    SIGNAL_RANGE,
    Body,
    ItemRating,
    Rating,
    responsible_body,
)
from entekhab.hq.web.forms import JalaliDateField

RATING_CHOICES = [(k.value, v) for k, v in RATING_FA.items()]
BODY_CHOICES = [(k.value, v) for k, v in BODY_FA.items()]


class SignalField(forms.CharField):
    """dBm typed with Persian or ASCII digits and a minus sign."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        text = to_ascii_digits(value).replace("−", "-").strip()
        try:
            return int(text)
        except ValueError as exc:
            raise forms.ValidationError(_("Enter the signal as a whole number of dBm, e.g. -85.")) from exc


class InspectionForm(forms.Form):
    # max_length=None: a length validator would run on the parsed date (JalaliDateField's default of 20 does).
    inspected_on = JalaliDateField(label=_("inspected on"), max_length=None,
                                   widget=forms.TextInput(attrs={"maxlength": 20}))
    inspector = forms.CharField(label=_("inspector"), max_length=150)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, venue_type: str, **kwargs):
        super().__init__(*args, **kwargs)
        for item in CHECKLIST:
            self.fields[f"rating_{item.code}"] = forms.ChoiceField(
                label=item.label_fa, choices=RATING_CHOICES, initial=Rating.COMPLIANT.value
            )
            self.fields[f"body_{item.code}"] = forms.ChoiceField(
                label=_("responsible body"), choices=BODY_CHOICES, initial=responsible_body(item.code, venue_type).value
            )
            self.fields[f"note_{item.code}"] = forms.CharField(label=_("note"), max_length=500, required=False)
            self.fields[f"photo_{item.code}"] = forms.FileField(label=_("photo"), required=False)
            if item.measured:
                low, high = SIGNAL_RANGE
                self.fields[f"signal_{item.code}"] = SignalField(
                    label=_("measured signal (dBm)"), required=False,
                    widget=forms.TextInput(attrs={"maxlength": 8, "size": 6}), help_text=f"{low} … {high}"
                )

    def rows(self):
        """(item, rating, body, note, photo, signal) bound fields, for the template's table."""
        for item in CHECKLIST:
            yield (
                item,
                self[f"rating_{item.code}"],
                self[f"body_{item.code}"],
                self[f"note_{item.code}"],
                self[f"photo_{item.code}"],
                self[f"signal_{item.code}"] if item.measured else None,
            )

    def ratings(self) -> list[ItemRating]:
        """Ratings for the domain; raises the domain's InspectionInvalid on a bad combination."""
        data = self.cleaned_data
        return [
            ItemRating(
                item.code,
                Rating(data[f"rating_{item.code}"]),
                Body(data[f"body_{item.code}"]),
                data[f"note_{item.code}"],
                data.get(f"signal_{item.code}"),
            )
            for item in CHECKLIST
        ]

    def photos(self) -> dict:
        return {
            item.code: self.cleaned_data.get(f"photo_{item.code}")
            for item in CHECKLIST
            if self.cleaned_data.get(f"photo_{item.code}")
        }
