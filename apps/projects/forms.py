"""Form building blocks shared by the task forms of both lanes."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Project


class TaskForm(forms.Form):
    """A task form knows its project (for choices and checks) and writes nothing itself."""

    formsets: dict = {}

    def __init__(self, *args, project: Project | None = None, **kwargs):
        self.project = project
        super().__init__(*args, **kwargs)


class TaskModelForm(forms.ModelForm):
    formsets: dict = {}

    def __init__(self, *args, project: Project | None = None, **kwargs):
        self.project = project
        super().__init__(*args, **kwargs)


class RowsFormSet(forms.BaseFormSet):
    """A formset of rows where a blank row is ignored but at least one row is needed."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        filled = [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]
        if not filled:
            raise forms.ValidationError(_("Add at least one row."))

    def rows(self) -> list[dict]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)
        ]


def rows_formset(form_class, extra: int = 3):
    return forms.formset_factory(form_class, formset=RowsFormSet, extra=extra, can_delete=False)


def unique_rows(formset: RowsFormSet, field: str, message):
    seen = set()
    for row in formset.rows():
        key = str(row[field]).lower()
        if key in seen:
            raise forms.ValidationError(message)
        seen.add(key)


def active_users():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class LaunchForm(TaskModelForm):
    """Launch LLMOps project: the project and its two teams."""

    strategic_members = forms.ModelMultipleChoiceField(
        queryset=active_users(),
        required=False,
        label=_("Strategic team (decision makers)"),
        help_text=_("You join the strategic team yourself."),
    )
    operational_members = forms.ModelMultipleChoiceField(
        queryset=active_users(), label=_("Operational team (engineers)")
    )

    class Meta:
        model = Project
        fields = ["title", "sponsor", "use_case", "desired_outcome"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategic_members"].queryset = active_users()
        self.fields["operational_members"].queryset = active_users()
