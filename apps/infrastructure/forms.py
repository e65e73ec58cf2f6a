"""Task-form parts for the message flows from IT infrastructure.

deploy_artifact and retire_artifact wait for IT infrastructure's confirmation: the
operational team completes them once it has arrived (the form is then filled in
from it), or confirms manually and says why, which goes into the audit trail.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import decommission_confirmation_awaited, deployment_confirmation_awaited

REASON_REQUIRED = _("Say how IT infrastructure confirmed it, since it did not through the API.")


def _reason_field():
    return forms.CharField(
        label=_("Reason for the manual confirmation"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Recorded in the project's history."),
    )


class DeploymentGate:
    """Mixed into DeploymentForm: IT infrastructure's confirmation, or a manual one and why."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.confirmation = (
            deployment_confirmation_awaited(project=self.project) if self.project else None
        )
        confirmation = self.confirmation
        if confirmation is not None:
            self.initial.update(
                environment=confirmation.environment,
                endpoint=confirmation.endpoint,
                resources=confirmation.resources_text,
                live_test_results=confirmation.live_test_results,
            )
            return
        self.fields["manual_confirmation"] = forms.BooleanField(
            label=_("Confirm the deployment manually"),
            required=False,
            help_text=_(
                "IT infrastructure has not confirmed this deployment through the API yet. "
                "Tick only if it was confirmed another way."
            ),
        )
        self.fields["manual_confirmation_reason"] = _reason_field()

    def clean(self):
        cleaned = super().clean()
        if self.confirmation is not None:
            cleaned.update(manual_confirmation=False, manual_confirmation_reason="")
        elif not cleaned.get("manual_confirmation"):
            raise forms.ValidationError(
                _(
                    "IT infrastructure has not confirmed this deployment yet: wait for its "
                    "confirmation, or confirm manually and give the reason."
                ),
                code="not_confirmed",
            )
        elif not cleaned.get("manual_confirmation_reason", "").strip():
            self.add_error("manual_confirmation_reason", REASON_REQUIRED)
        return cleaned


class DecommissionGate:
    """Mixed into RetirementForm: ``decommission_confirmed`` is derived from IT infrastructure's
    confirmation when it arrived; otherwise ticking it is a manual confirmation that needs a reason.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.confirmation = (
            decommission_confirmation_awaited(project=self.project) if self.project else None
        )
        confirmed = self.fields["decommission_confirmed"]
        if self.confirmation is not None:
            confirmed.disabled = True
            self.initial["decommission_confirmed"] = True
            confirmed.help_text = _("Confirmed by IT infrastructure (%(id)s).") % {
                "id": self.confirmation.confirmation_id
            }
            if self.confirmation.archive_location:
                self.initial.setdefault("archive_location", self.confirmation.archive_location)
            return
        confirmed.help_text = _(
            "IT infrastructure has not confirmed the decommission through the API yet. "
            "Tick only if it was confirmed another way, and give the reason."
        )
        self.fields["manual_confirmation_reason"] = _reason_field()
        names = list(self.fields)
        names.remove("manual_confirmation_reason")
        names.insert(names.index("decommission_confirmed") + 1, "manual_confirmation_reason")
        self.order_fields(names)

    def clean(self):
        cleaned = super().clean()
        manual = self.confirmation is None and bool(cleaned.get("decommission_confirmed"))
        cleaned["manual_confirmation"] = manual
        if manual and not cleaned.get("manual_confirmation_reason", "").strip():
            self.add_error("manual_confirmation_reason", REASON_REQUIRED)
        cleaned.setdefault("manual_confirmation_reason", "")
        return cleaned
