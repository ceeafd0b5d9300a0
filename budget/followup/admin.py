from django.contrib import admin

from botilbud.admin import VersionedAdminMixin, VersionedForm
from budget.followup.models import Round, Settings


@admin.register(Settings)
class SettingsAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["__str__", "threshold_pct", "threshold_amount"]


@admin.register(Round)
class RoundAdmin(VersionedAdminMixin, admin.ModelAdmin):
    """The follow-up calendar: one round per month that has a follow-up."""

    form = VersionedForm
    list_display = ["__str__", "prepare_deadline", "confirm_deadline", "approve_deadline", "status"]
    list_filter = ["status"]
    exclude = ["status", "approved_by", "approved_at"]
