"""The administrator edits the framework agreement's rate rules here; rate
calculations are made and approved on the rate pages (read-only here)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from botilbud.admin import VersionedAdminMixin
from budget.rates.models import RateCalculation, RateSettings, RefusionTier


@admin.register(RateSettings)
class RateSettingsAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["overhead_pct", "regulation_limit_pct", "cost_groups", "income_groups"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not RateSettings.objects.exists()


@admin.register(RateCalculation)
class RateCalculationAdmin(admin.ModelAdmin):
    list_display = ["home", "year", "status", "approved_annual", "approved_day", "approved_by", "approved_at"]
    list_filter = ["year", "status"]
    list_select_related = ["home", "approved_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RefusionTier)
class RefusionTierAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["year", "threshold", "share_pct"]
    list_filter = ["year"]
