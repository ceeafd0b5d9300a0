from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from botilbud.admin import VersionedAdminMixin, VersionedForm
from budget.followup.models import Round, Settings
from budget.followup.services import rounds_create


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
    actions = ["copy_to_next_year"]

    @admin.action(description="Opret de valgte runders måneder for næste år")
    def copy_to_next_year(self, request, queryset):  # noqa: ANN001, ANN201
        by_year: dict[int, list[int]] = {}
        for round_ in queryset:
            by_year.setdefault(round_.month.year + 1, []).append(round_.month.month)
        try:
            created = [r for year, months in by_year.items() for r in rounds_create(year=year, months=months)]
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, f"{len(created)} nye runder oprettet.", messages.SUCCESS)
