"""The append-only decision history of every project."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One thing that happened to a project: who (or the system), when, what and why.

    Rows are written by services in the same transaction as the change they
    describe and are never updated or deleted afterwards.
    """

    class Kind(models.TextChoices):
        LAUNCH = "launch", _("Launch")
        RECORD = "record", _("Record")
        DECISION = "decision", _("Decision")
        SYSTEM = "system", _("System")
        MEMBERSHIP = "membership", _("Membership")

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="events")
    node_id = models.CharField(_("node"), max_length=64, blank=True)
    task_id = models.BigIntegerField(_("task"), null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the system decided."),
    )
    summary = models.CharField(max_length=255)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.summary}"

    def save(self, *args, **kwargs):
        # Append-only: an audit row that can be edited proves nothing.
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")

    @property
    def actor_display(self) -> str:
        return self.actor.get_username() if self.actor_id else str(_("system"))
