"""Persian-first forms: registration, vetting actions, inquiry answers, self-service, the PR calculator."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import get_language

from entekhab.domain.eligibility import ART41_POSTS, DEGREE_NAMES, Degree, PostHeld
from entekhab.hq.candidates.actions import RegistrationInput
from entekhab.hq.candidates.models import InquiryAnswer, InquiryBody
from entekhab.hq.web.forms import JalaliDateField as _JalaliDateField
from entekhab.hq.web.forms import NationalCodeField
from entekhab.i18n import N_, both, gettext_in


def _pick(fa: str, en: str) -> str:
    return en if get_language() == "en" else fa


bi = lazy(_pick, str)

MAX_PHOTO = 512 * 1024


class JalaliDateField(_JalaliDateField):
    """The shared field minus CharField's length validator, which would call len() on the parsed date."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not hasattr(v, "limit_value")]


class RegistrationForm(forms.Form):
    national_code = NationalCodeField(label=bi(*both("National code")))
    first_name = forms.CharField(label=bi(*both("First name")), max_length=80)
    last_name = forms.CharField(label=bi(*both("Last name")), max_length=80)
    name_en = forms.CharField(label=bi(*both("Name in Latin letters")), max_length=160, required=False)
    birth_date = JalaliDateField(label=bi(*both("Birth date")))
    sex = forms.ChoiceField(
        label=bi(*both("Sex")), choices=[("male", bi(*both("male"))), ("female", bi(*both("female")))]
    )
    residence_area = forms.ChoiceField(label=bi(*both("Residence")))
    address = forms.CharField(label=bi(*both("Address")), max_length=300, required=False)
    degree = forms.TypedChoiceField(
        label=bi(*both("Education")), coerce=int, choices=[(int(d), bi(*DEGREE_NAMES[d])) for d in Degree]
    )
    field_of_study = forms.CharField(label=bi(*both("Field of study")), max_length=120, required=False)
    veteran = forms.BooleanField(label=bi(*both("I am a veteran (isargar)")), required=False)
    occupation = forms.CharField(label=bi(*both("Occupation")), max_length=160)
    post = forms.ChoiceField(
        label=bi(*both("Post held in recent months (Art. 41)")),
        required=False,
        choices=[("", bi(*both("none"))), *((k, bi(fa, en)) for k, (fa, en) in ART41_POSTS.items())],
    )
    post_ended = JalaliDateField(label=bi(*both("Resignation date")), required=False)
    military_service = forms.BooleanField(
        label=bi(*both("I hold a military service or exemption card (men)")),
        required=False,
    )
    former_council_member = forms.BooleanField(
        label=bi(*both("I was a council member before")), required=False
    )
    ijtihad = forms.BooleanField(
        label=bi(*both("my ijtihad is attested by the Guardian Council")),
        required=False,
    )
    certificate_number = forms.CharField(
        label=bi(*both("Criminal-record certificate number")), max_length=40
    )
    certificate_date = JalaliDateField(label=bi(*both("Certificate issue date")))
    photo = forms.FileField(
        label=bi(*both("Photo (PNG or JPEG, ≤ 512 KB)")), required=False
    )

    def __init__(self, *args: Any, areas: list[tuple[str, str]], experts: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["residence_area"].choices = areas
        if experts:
            del self.fields["former_council_member"]
        else:
            del self.fields["ijtihad"]

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_PHOTO:
            raise forms.ValidationError(_pick(*both("the photo is larger than 512 KB")))
        return photo

    def to_input(self) -> RegistrationInput:
        d = self.cleaned_data
        posts = (PostHeld(d["post"], d.get("post_ended")),) if d.get("post") else ()
        attestations = tuple(k for k in ("military_service", "former_council_member", "ijtihad") if d.get(k))
        photo = d["photo"].read() if d.get("photo") else None
        return RegistrationInput(
            national_code=d["national_code"],
            first_name=d["first_name"],
            last_name=d["last_name"],
            name_en=d["name_en"],
            birth_date=d["birth_date"],
            sex=d["sex"],
            residence_area=d["residence_area"],
            address=d["address"],
            degree=d["degree"],
            field_of_study=d["field_of_study"],
            veteran=d["veteran"],
            occupation=d["occupation"],
            posts=posts,
            attestations=attestations,
            certificate_number=d["certificate_number"],
            certificate_date=d["certificate_date"],
            photo=photo,
        )


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=20)
    reason = forms.CharField(
        label=bi(*both("Reason")), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InquiryForm(forms.Form):
    body = forms.ChoiceField(label=bi(*both("Body")), choices=InquiryBody.choices)
    answer = forms.ChoiceField(label=bi(*both("Answer")), choices=InquiryAnswer.choices)
    note = forms.CharField(label=bi(*both("Note")), max_length=1000, required=False)


class SelfServiceForm(forms.Form):
    tracking = forms.CharField(label=bi(*both("Tracking number")), max_length=20)
    access_key = forms.CharField(label=bi(*both("Access key")), max_length=64)
    action = forms.ChoiceField(
        label=bi(*both("Request")),
        choices=[
            ("appeal", bi(*both("appeal a rejection"))),
            ("withdraw", bi(*both("withdraw"))),
            ("confirm", bi(*both("confirm my place on a list"))),
        ],
    )
    reason = forms.CharField(
        label=bi(*both("Reason")), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


CALCULATOR_EXAMPLE = N_("List A: 52000, 41000, 39000, 21000, 7000\nList B: 48000, 30000, 30000, 9000\n"
                        "List C: 15000, 11000\nindependent: 26000, 4000")


class CalculatorForm(forms.Form):
    seats = forms.IntegerField(label=bi(*both("Seats")), min_value=1, max_value=50, initial=21)
    groups = forms.CharField(
        label=bi(
            *both("Candidate votes: one list per line (name: members' votes); 'independent' for the unlisted"),
        ),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "rtl"}),
        initial=lambda: gettext_in("fa", CALCULATOR_EXAMPLE),  # the example in the words the calculator parses
    )


class ListForm(forms.Form):
    """A party representative's list: members as tracking numbers, one per line, in list order."""

    party = forms.ChoiceField(label=bi(*both("Party, front or coalition")))
    contest = forms.ChoiceField(label=bi(*both("Contest")))
    title_fa = forms.CharField(label=bi(*both("List title (Persian)")), max_length=200)
    title_en = forms.CharField(label=bi(*both("List title (English)")), max_length=200, required=False)
    members = forms.CharField(
        label=bi(*both("Members' tracking numbers, one per line, in order")),
        max_length=4000, widget=forms.Textarea(attrs={"rows": 8, "dir": "ltr"}))

    def __init__(self, *args: Any, parties: list[tuple[str, str]], contests: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = parties
        self.fields["contest"].choices = contests

    def clean_members(self) -> list[str]:
        lines = [x.strip().upper() for x in self.cleaned_data["members"].splitlines() if x.strip()]
        if not lines or len(lines) > 100:
            raise forms.ValidationError(_pick(*both("give 1 to 100 tracking numbers")))
        return lines
