from __future__ import annotations

from django.contrib import admin

from botilbud.admin import VersionedAdminMixin, VersionedForm
from disponering.models import LeaveRules, LedgerEntry, LedgerEntryMonth


class LedgerEntryMonthInline(admin.TabularInline):
    model = LedgerEntryMonth
    fields = readonly_fields = ("month", "account_group", "amount")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "home", "category", "account_group", "amount", "start_date", "end_date", "status"]
    list_filter = ["status", "category", "account_group", "generated", "home__area"]
    search_fields = ["title", "comment", "home__name"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["home"]
    raw_id_fields = ["registered_by"]
    # The per-month rows are written by the service from the spread, so the
    # amount, period and spread are changed on the ledger page, not here.
    readonly_fields = [
        "home",  # the month rows carry the home too; only the ledger's services move money
        "account_group",
        "amount",
        "start_date",
        "end_date",
        "spread",
        "generated",
        "generated_key",
        "created_at",
    ]
    fields = [
        "home",
        "category",
        "account_group",
        "title",
        "amount",
        "start_date",
        "end_date",
        "spread",
        "status",
        "comment",
        "registered_by",
        "generated",
        "generated_key",
        "created_at",
    ]
    inlines = [LedgerEntryMonthInline]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        # Entries are created on the ledger page, which writes their months.
        return False


@admin.register(LeaveRules)
class LeaveRulesAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["__str__", "maternity_refund_to_home", "sickness_refund_to_home"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return not LeaveRules.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
