"""Administration of the chart of accounts, budgets and baselines (optimistic locking as everywhere)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from botilbud.admin import VersionedAdminMixin, VersionedForm
from botilbud.http import AuthenticatedHttpRequest
from budget.chart import regroup_actuals, unmapped_accounts
from budget.models import (
    Account,
    AccountArt,
    AccountFunction,
    ActualsImport,
    Baseline,
    BaselineLine,
    BudgetCorrection,
    BudgetLine,
    CostCentre,
    GroupDefinition,
    Posting,
    StaffingPlan,
)
from budget.services import freeze_baseline


class AccountForm(VersionedForm):
    """The group is chosen among the defined account groups."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        if "group" in self.fields:
            self.fields["group"] = forms.ChoiceField(
                label="Kontogruppe",
                choices=[(g.code, f"{g.name} ({g.get_kind_display()})") for g in GroupDefinition.objects.all()],
            )


class RegroupOnChangeMixin:
    """Saving or deleting a row re-stamps the history's groups in the same transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]  # a mixin: super() is the ModelAdmin it is mixed into
        self._regroup(request)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)  # type: ignore[misc]  # a mixin (see above)
        self._regroup(request)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)  # type: ignore[misc]  # a mixin (see above)
        self._regroup(request)

    def _regroup(self, request: HttpRequest) -> None:
        moved, _ = regroup_actuals()
        if moved:
            messages.info(request, f"{moved} posteringer er flyttet til en anden kontogruppe (hele historikken).")
        left = unmapped_accounts(5)
        if left:
            names = ", ".join(f"{f}/{d or '*'}/{a}" for f, d, a, _ in left)
            messages.warning(
                request,
                f"Disse konti i posteringerne passer ikke længere til nogen kobling og beholder deres gruppe: {names}.",
            )


@admin.register(Account)
class AccountAdmin(RegroupOnChangeMixin, VersionedAdminMixin, admin.ModelAdmin):
    form = AccountForm
    list_display = ["function_code", "dranst", "art_prefix", "group", "name", "is_active"]
    list_filter = ["group", "dranst", "is_active", "function_code"]
    search_fields = ["function_code", "art_prefix", "name"]


@admin.register(GroupDefinition)
class GroupDefinitionAdmin(RegroupOnChangeMixin, VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["code", "name", "kind", "order"]
    list_filter = ["kind"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code"] if obj else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and (
            obj.code in ("loen", "drift", "indtaegt")
            or Account.objects.filter(group=obj.code).exists()
            or Posting.objects.filter(group=obj.code).exists()
        ):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(AccountFunction)
class AccountFunctionAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name"]


@admin.register(AccountArt)
class AccountArtAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(CostCentre)
class CostCentreAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["code", "home", "name", "is_active"]
    list_select_related = ["home"]
    search_fields = ["code", "home__name", "name"]
    autocomplete_fields = []


class CorrectionInline(admin.TabularInline):
    model = BudgetCorrection
    extra = 0

    def get_queryset(self, request):  # noqa: ANN001, ANN201 - who corrected, in the same query
        return super().get_queryset(request).select_related("created_by")

    fields = readonly_fields = ("date", "amount", "reason", "created_by", "created_at")

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
    def freeze(self, request: AuthenticatedHttpRequest, queryset: Any) -> None:
        for baseline in queryset.filter(frozen_at__isnull=True):
            freeze_baseline(baseline=baseline, user=request.user)
        self.message_user(request, "Forudsætningerne er frosset.")
