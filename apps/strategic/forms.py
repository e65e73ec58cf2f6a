"""Forms of the strategic tasks."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.projects.forms import TaskModelForm, rows_formset, unique_rows

from .models import (
    ArchitectureReview,
    AssessmentDecision,
    Blueprint,
    BusinessRequirements,
    Kpi,
    Scope,
    Termination,
)


class KpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = ["name", "unit", "target", "direction"]


class KpiFormSet(rows_formset(KpiForm)):
    def clean(self):
        super().clean()
        if not any(self.errors):
            unique_rows(self, "name", _("Each KPI needs its own name."))


class ScopeForm(TaskModelForm):
    formsets = {"kpis": KpiFormSet}

    class Meta:
        model = Scope
        fields = ["scope", "objectives"]


class BusinessRequirementsForm(TaskModelForm):
    class Meta:
        model = BusinessRequirements
        fields = [
            "objectives",
            "benefits",
            "constraints",
            "value_propositions",
            "stakeholder_expectations",
            "use_case_descriptions",
        ]


class ArchitectureReviewForm(TaskModelForm):
    class Meta:
        model = ArchitectureReview
        fields = ["decision", "comments"]
        widgets = {"decision": forms.RadioSelect}


class BlueprintForm(TaskModelForm):
    class Meta:
        model = Blueprint
        fields = ["summary", "milestones", "budget", "currency"]

    def clean_currency(self):
        currency = self.cleaned_data["currency"].upper()
        if not currency.isalpha() or len(currency) != 3:
            raise forms.ValidationError(_("Use a three-letter ISO 4217 code such as EUR."))
        return currency


class AssessmentDecisionForm(TaskModelForm):
    class Meta:
        model = AssessmentDecision
        fields = ["decision", "rationale"]
        widgets = {"decision": forms.RadioSelect}


class TerminationForm(TaskModelForm):
    class Meta:
        model = Termination
        fields = ["reason", "lessons_learned"]
