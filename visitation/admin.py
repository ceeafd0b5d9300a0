"""The administrator edits visitation's reference data here (Danish via verbose names)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from botilbud.admin import VersionedAdminMixin
from visitation.models import (
    Citizen,
    CompetenceThreshold,
    Decision,
    FollowUp,
    FollowUpRule,
    Offer,
    OfferPrice,
    Placement,
    PlacementChange,
    Provider,
    SupportPackage,
)


@admin.register(Provider)
class ProviderAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "non_profit", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


class OfferPriceInline(admin.TabularInline):
    model = OfferPrice
    extra = 1
    fields = ["valid_from", "annual_price"]


@admin.register(Offer)
class OfferAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "provider", "paragraph", "home", "is_active"]
    list_filter = ["paragraph", "provider__kind", "is_active"]
    search_fields = ["name", "provider__name"]
    list_select_related = ["provider", "paragraph", "home"]
    autocomplete_fields = ["provider"]
    inlines = [OfferPriceInline]


@admin.register(SupportPackage)
class SupportPackageAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "weekly_hours", "sort_order", "is_active"]


@admin.register(CompetenceThreshold)
class CompetenceThresholdAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["level", "scope", "max_amount"]


@admin.register(FollowUpRule)
class FollowUpRuleAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["paragraph", "first_after_months", "then_every_months"]
    list_select_related = ["paragraph"]


@admin.register(Citizen)
class CitizenAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["case_number", "initials"]
    search_fields = ["case_number", "initials"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Placements and their history change only through the app's services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "citizen",
        "offer",
        "paying_municipality",
        "start_date",
        "end_date",
        "annual_price",
        "status",
        "required_level",
    ]
    list_filter = ["status", "required_level"]
    list_select_related = ["citizen", "offer__paragraph", "paying_municipality"]
    search_fields = ["citizen__case_number", "citizen__initials"]


admin.site.register(Decision, ReadOnlyAdmin)
admin.site.register(PlacementChange, ReadOnlyAdmin)
admin.site.register(FollowUp, ReadOnlyAdmin)
