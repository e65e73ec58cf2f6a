"""Each user chooses how often they get review emails, or opts out."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import generic

from .models import Preference
from .services import frequency_of, preference_set


class PreferenceForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Review emails"), choices=Preference.Frequency.choices, widget=forms.RadioSelect
    )


class PreferenceView(LoginRequiredMixin, generic.FormView):
    form_class = PreferenceForm
    template_name = "notifications/preferences.html"

    def get_initial(self):
        return {"frequency": frequency_of(self.request.user)}

    def form_valid(self, form):
        preference_set(user=self.request.user, frequency=form.cleaned_data["frequency"])
        messages.success(self.request, _("Your email preference is saved."))
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("notifications:preferences")
