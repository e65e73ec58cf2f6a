"""An enterprise LLM project and the two teams that run it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def plain_number(value) -> str:
    """800.0000 -> '800', 0.9000 -> '0.9' (Decimal.normalize would print 8E+2)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class Team(models.TextChoices):
    """The two lanes of the Enterprise pool."""

    STRATEGIC = "strategic", _("Strategic team")
    OPERATIONAL = "operational", _("Operational team")


class Project(models.Model):
    """One LLM project, run through the life cycle by exactly one process.

    Object permissions on a project are its teams: ``view_project`` for every
    member, ``act_strategic`` / ``act_operational`` for the lane they work in.
    """

    class Outcome(models.TextChoices):
        CUSTOMER_EXPERIENCE = "customer_experience", _("Customer experience")
        TASK_AUTOMATION = "task_automation", _("Task automation")
        DECISION_MAKING = "decision_making", _("Decision making")
        OTHER = "other", _("Other")

    title = models.CharField(_("title"), max_length=200)
    sponsor = models.CharField(_("sponsor"), max_length=200)
    use_case = models.TextField(_("use case"))
    desired_outcome = models.CharField(_("desired outcome"), max_length=32, choices=Outcome.choices)
    process = models.OneToOneField(
        "viewflow.Process",
        on_delete=models.PROTECT,
        related_name="project",
        null=True,
        blank=True,
    )
    iteration = models.PositiveIntegerField(
        _("iteration"), default=1, help_text=_("Raised by every 'adjust' decision.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "id"]
        permissions = [
            ("act_strategic", _("Work in the strategic lane")),
            ("act_operational", _("Work in the operational lane")),
        ]

    def __str__(self) -> str:
        return self.title


class Membership(models.Model):
    """A user's seat in one team of one project; mirrored into guardian permissions."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.CharField(max_length=16, choices=Team.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user", "team"], name="membership_unique_seat"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_team_display()})"


class ProjectRecord(models.Model):
    """Base of every governance record: which project, which task, who and when."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    task_id = models.BigIntegerField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty when the system recorded it."),
    )
    recorded_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-recorded_at", "-id"]
        get_latest_by = ["recorded_at", "id"]
