"""Who wants which review emails, and the ledger that keeps each email to one send."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Preference(models.Model):
    """A user's choice of digest frequency; reminders and notices follow the same opt-out."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly (Mondays)")
        NEVER = "never", _("Never (opt out of review emails)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference"
    )
    frequency = models.CharField(
        _("review emails"), max_length=8, choices=Frequency.choices, default=Frequency.DAILY
    )

    def __str__(self) -> str:
        return f"{self.user}: {self.get_frequency_display()}"


class SentEmail(models.Model):
    """One row per email sent: a second beat for the same key finds the row and sends nothing."""

    class Kind(models.TextChoices):
        DIGEST = "digest", _("Task digest")
        REMINDER = "reminder", _("Strategic reminder")
        ESCALATION = "escalation", _("Overdue task escalation")
        RETIREMENT = "retirement", _("Automatic retirement notice")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100, help_text=_("The period or object the email is about."))
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "user", "key"], name="sent_email_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.user} ({self.key})"
