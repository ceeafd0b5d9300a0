"""Administration of the chart of accounts, budgets and baselines (optimistic locking as everywhere)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from botilbud.admin import VersionedAdminMixin, VersionedForm
from budget.models import Account, ActualsImport, Baseline, BaselineLine, BudgetCorrection, BudgetLine, StaffingPlan


@admin.register(Account)
class AccountAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["function_code", "art_prefix", "group", "name", "is_active"]
    list_filter = ["group", "is_active", "function_code"]
    search_fields = ["function_code", "art_prefix", "name"]


class CorrectionInline(admin.TabularInline):
    model = BudgetCorrection
    extra = 0

    def get_queryset(self, request):  # noqa: ANN001, ANN201 - who corrected, in the same query
        return super().get_queryset(request).select_related("created_by")

    fields = ["date", "amount", "reason", "created_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BudgetLine)
class BudgetLineAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["home", "year", "group", "original"]
    list_filter = ["year", "group"]
    search_fields = ["home__name", "home__cost_centre"]
    inlines = [CorrectionInline]


@admin.register(StaffingPlan)
class StaffingPlanAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["home", "year", "wage_budget", "annual_wage_cost", "updated_at"]
    list_filter = ["year"]


@admin.register(ActualsImport)
class ActualsImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "created_at", "uploaded_by", "status", "row_count", "replaced_rows", "total"]
    list_select_related = ["uploaded_by"]
    list_filter = ["status"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BaselineLineInline(admin.TabularInline):
    model = BaselineLine
    extra = 1

    def _editable(self, obj: Any) -> bool:
        return obj is None or obj.frozen_at is None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj)


@admin.register(Baseline)
class BaselineAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["year", "frozen_at", "frozen_by"]
    inlines = [BaselineLineInline]
    readonly_fields = ["frozen_at", "frozen_by"]
    actions = ["freeze"]

    @admin.action(description="Frys de valgte forudsætninger")
    def freeze(self, request: HttpRequest, queryset: Any) -> None:
        from budget.services import freeze_baseline

        for baseline in queryset.filter(frozen_at__isnull=True):
            freeze_baseline(baseline=baseline, user=request.user)
        self.message_user(request, "Forudsætningerne er frosset.")
