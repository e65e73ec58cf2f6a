from django.urls import path

from .views import PreferenceView

app_name = "notifications"
urlpatterns = [path("preferences/", PreferenceView.as_view(), name="preferences")]
