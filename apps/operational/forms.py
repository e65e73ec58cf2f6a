"""Forms of the operational tasks."""

from django import forms
from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from apps.infrastructure.forms import DecommissionGate, DeploymentGate
from apps.infrastructure.selectors import evaluation_submitted_values
from apps.projects.forms import TaskForm, TaskModelForm, rows_formset, unique_rows

from .models import (
    AcceptanceCriterion,
    ArchitectureDesign,
    ArtifactVersion,
    Component,
    DataQualityReport,
    Dataset,
    Deployment,
    FineTuningRun,
    Integration,
    MaintenanceRecord,
    ModelCandidate,
    RetirementRecord,
    RootCauseAnalysis,
)
from .selectors import criteria_in_force

YES_NO = [(True, _("Yes")), (False, _("No"))]


class CriterionForm(forms.ModelForm):
    class Meta:
        model = AcceptanceCriterion
        fields = ["metric", "comparator", "threshold", "unit"]


class CriterionFormSet(rows_formset(CriterionForm)):
    def clean(self):
        super().clean()
        if not any(self.errors):
            unique_rows(self, "metric", _("Each acceptance criterion needs its own metric."))


class RequirementsForm(TaskForm):
    functional_requirements = forms.CharField(
        label=_("Functional requirements"), widget=forms.Textarea
    )
    formsets = {"criteria": CriterionFormSet}


class ComponentForm(forms.ModelForm):
    class Meta:
        model = Component
        fields = ["name", "kind", "description"]


class ArchitectureDesignForm(TaskModelForm):
    formsets = {"components": rows_formset(ComponentForm)}

    class Meta:
        model = ArchitectureDesign
        fields = ["summary", "connections", "integration_points", "deployment_target", "evidence"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].validators.append(
            FileExtensionValidator(allowed_extensions=settings.EVIDENCE_EXTENSIONS)
        )

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence and evidence.size > settings.EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(
                _("The evidence file is larger than %(limit)d MB."),
                params={"limit": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
            )
        return evidence


class DatasetForm(forms.ModelForm):
    class Meta:
        model = Dataset
        fields = [
            "name",
            "source",
            "size_records",
            "licence",
            "contains_personal_data",
            "preparation",
        ]
        widgets = {"preparation": forms.TextInput}


class PrepareDataForm(TaskForm):
    formsets = {"datasets": rows_formset(DatasetForm)}


class DataQualityForm(TaskModelForm):
    class Meta:
        model = DataQualityReport
        fields = ["completeness", "accuracy", "consistency", "findings", "verdict"]
        widgets = {"verdict": forms.RadioSelect}


class CandidateForm(forms.ModelForm):
    class Meta:
        model = ModelCandidate
        fields = [
            "name",
            "parameters_billions",
            "model_type",
            "licence",
            "personnel_cost",
            "licensing_cost",
            "infrastructure_cost",
            "technical_requirements",
            "chosen",
        ]


class CandidateFormSet(rows_formset(CandidateForm)):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        unique_rows(self, "name", _("Each candidate needs its own name."))
        if sum(1 for row in self.rows() if row.get("chosen")) != 1:
            raise forms.ValidationError(_("Mark exactly one candidate as chosen."))


class ModelSelectionForm(TaskForm):
    rationale = forms.CharField(label=_("Rationale for the choice"), widget=forms.Textarea)
    fine_tuning_required = forms.TypedChoiceField(
        label=_("Fine-tuning required?"),
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
    )
    formsets = {"candidates": CandidateFormSet}


class FineTuningForm(TaskModelForm):
    class Meta:
        model = FineTuningRun
        fields = ["method", "training_data", "resulting_model", "notes"]


class ArtifactForm(TaskModelForm):
    class Meta:
        model = ArtifactVersion
        fields = ["version", "description", "repository_url", "model_name"]

    def clean_version(self):
        version = self.cleaned_data["version"].strip()
        if ArtifactVersion.objects.filter(project=self.project, version=version).exists():
            raise forms.ValidationError(
                _("Version %(v)s already exists in this project."), params={"v": version}
            )
        return version


class EvaluationForm(TaskForm):
    """One measured value per acceptance criterion in force; pass or fail is computed."""

    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria_in_force(project=self.project) if self.project else []
        # Results an evaluation harness or CI sent through the API fill the form in.
        submitted = evaluation_submitted_values(project=self.project) if self.project else {}
        for criterion in self.criteria:
            self.fields[f"measured_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.metric} ({criterion.unit})",
                help_text=_("Acceptance criterion: %(c)s") % {"c": criterion},
                max_digits=14,
                decimal_places=4,
                initial=submitted.get(criterion.metric),
            )
        self.order_fields([f"measured_{c.pk}" for c in self.criteria] + ["notes"])

    def clean(self):
        cleaned = super().clean()
        if not self.criteria:
            raise forms.ValidationError(_("No acceptance criteria are in force for this project."))
        if not self.errors:
            cleaned["measurements"] = {c.pk: cleaned.pop(f"measured_{c.pk}") for c in self.criteria}
        return cleaned


class RootCauseForm(TaskModelForm):
    class Meta:
        model = RootCauseAnalysis
        fields = ["cause", "analysis"]
        widgets = {"cause": forms.RadioSelect}


class DeploymentForm(DeploymentGate, TaskModelForm):
    class Meta:
        model = Deployment
        fields = ["environment", "endpoint", "resources", "live_test_results"]


class IntegrationForm(TaskModelForm):
    class Meta:
        model = Integration
        fields = [
            "systems",
            "data_synchronization",
            "workflow_alignment",
            "ui_integration",
            "privacy_compliance_confirmed",
            "compliance_notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["privacy_compliance_confirmed"].required = True
        self.fields["privacy_compliance_confirmed"].error_messages["required"] = _(
            "The integration cannot be completed without a data privacy compliance validation."
        )


class MaintenanceForm(TaskModelForm):
    class Meta:
        model = MaintenanceRecord
        fields = ["kind", "description", "incidents_resolved"]


class RetirementForm(DecommissionGate, TaskModelForm):
    class Meta:
        model = RetirementRecord
        fields = [
            "dependencies_transitioned",
            "data_archived",
            "archive_location",
            "decommission_requested",
            "decommission_confirmed",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (
            "dependencies_transitioned",
            "data_archived",
            "decommission_requested",
            "decommission_confirmed",
        ):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = _(
                "The artifact is not retired until this is done."
            )
