"""Staff: the personnel pool, training and certification, and staged assignment."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from entekhab.domain.jalali import format_jalali
from entekhab.domain.sensitivity import ROLE_FA, StaffRole

ROLE_CHOICES = [(k.value, v) for k, v in ROLE_FA.items()]


class Person(models.Model):
    """Someone seconded from a government body (the council law's staffing article)."""

    national_code = models.CharField(_("national code"), max_length=10, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    seconded_from = models.CharField(_("seconded from"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    batch = models.CharField(_("import batch"), max_length=40, blank=True, db_index=True)
    home_area = models.ForeignKey("geography.Area", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("home area"))
    is_candidate = models.BooleanField(_("is a candidate"), default=False)
    relative_candidate_areas = models.ManyToManyField(
        "geography.Area", blank=True, related_name="+", verbose_name=_("areas where a close relative is a candidate"),
        help_text=_("As the person declared: they may not serve in a branch inside these areas."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personnel pool")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name


class Course(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    role = models.CharField(_("certifies for role"), max_length=16, choices=ROLE_CHOICES)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (out of 100)"), validators=[MaxValueValidator(100)])

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")

    def __str__(self) -> str:
        return self.title


class TrainingClass(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="classes", verbose_name=_("course"))
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")
        ordering = ["held_on"]

    def __str__(self) -> str:
        return f"{self.course} {format_jalali(self.held_on)}"


class Attendance(models.Model):
    training_class = models.ForeignKey(TrainingClass, on_delete=models.CASCADE, related_name="attendance",
                                       verbose_name=_("class"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendance",
                               verbose_name=_("person"))
    present = models.BooleanField(_("present"), default=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["training_class", "person"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.person} · {self.training_class}"


class QuizResult(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="results", verbose_name=_("course"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="quiz_results",
                               verbose_name=_("person"))
    score = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(100)])
    taken_on = models.DateField(_("taken on"))

    class Meta:
        verbose_name = _("quiz result")
        verbose_name_plural = _("quiz results")

    def __str__(self) -> str:
        return f"{self.person} · {self.course}"


class Certification(models.Model):
    """A person may serve in a role: attended the course's class and passed its quiz."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="certifications",
                               verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=16, choices=ROLE_CHOICES)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+", verbose_name=_("course"))
    certified_on = models.DateField(_("certified on"))

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [models.UniqueConstraint(fields=["person", "role"], name="certified_once_per_role")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"


class StaffAssignment(models.Model):
    """Stage 1 puts a person in a region for a role; stage 2 gives a branch or keeps them in reserve."""

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="staff_assignments",
                                 verbose_name=_("election"))
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assignments",
                               verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=16, choices=ROLE_CHOICES)
    region = models.ForeignKey("geography.Area", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("region"))
    branch = models.ForeignKey("elections.Branch", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="staff", verbose_name=_("polling branch"))
    is_reserve = models.BooleanField(_("reserve"), default=False)

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        ordering = ["branch", "role"]
        constraints = [models.UniqueConstraint(fields=["election", "person"], name="one_assignment_per_person")]

    def __str__(self) -> str:
        return f"{self.person} → {self.branch or self.region}"

    @property
    def role_fa(self) -> str:
        return ROLE_FA[StaffRole(self.role)]
