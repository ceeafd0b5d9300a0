"""The administrator's pages (Danish, via verbose names and Django's da locale).

Every model form here carries its version, so two administrators editing the
same home never overwrite each other silently.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from botilbud.lib.locking import VersionConflict, VersionedModelForm, save_versioned
from botilbud.models import Area, Home, HourPrice, Municipality, Paragraph, User


class VersionedAdminMixin:
    """Adds optimistic locking to a ModelAdmin's change form; decimals are
    shown and typed the Danish way (95,00, not 95.00)."""

    form: type[forms.ModelForm[Any]] = VersionedModelForm

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.DecimalField):
            # A number input must use a decimal point; a localised text input shows the comma.
            kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 16}))
            kwargs["localize"] = True
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]  # a mixin: super() is the ModelAdmin it is mixed into

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        # "version" is shown (hidden) in the fieldsets but is not an editable
        # model field: the form declares it itself, so keep it out of "fields".
        if kwargs.get("fields"):
            kwargs["fields"] = [f for f in kwargs["fields"] if f != "version"]
        elif "fields" not in kwargs:
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
            kwargs["fields"] = [f for f in fields if f != "version"]
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]  # a mixin (see above)
        if "version" not in form.base_fields:
            form.base_fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        return form

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]  # a mixin (see above)
        names = {f for _, opts in fieldsets for f in opts["fields"]}
        if "version" not in names:
            fieldsets = [*fieldsets, (None, {"fields": ["version"], "classes": ["hidden-version"]})]
        return fieldsets

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            try:
                save_versioned(obj, seen_version=form.cleaned_data.get("version") or obj.version)
            except VersionConflict as conflict:  # pragma: no cover - clean() catches it first
                messages.error(request, conflict.message())
                raise
        else:
            obj.save()


class VersionedForm(VersionedModelForm):
    class Meta:
        fields = "__all__"


class VersionedUserChangeForm(UserChangeForm, VersionedModelForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(Home)
class HomeAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["name", "area", "capacity", "target_group", "financing", "cost_centre", "is_active"]
    list_filter = ["area", "target_group", "financing", "is_active"]
    search_fields = ["name", "cost_centre", "address"]
    filter_horizontal = ["paragraphs", "managers", "consultants"]
    readonly_fields = ["access_link"]

    @admin.display(description="Adgangshistorik")
    def access_link(self, obj: Home) -> str:
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Se hvem der fik eller mistede adgang, og hvornår</a>', reverse("home_access", args=[obj.pk])
        )


@admin.register(Area)
class AreaAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["name"]
    filter_horizontal = ["managers"]


@admin.register(Paragraph)
class ParagraphAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["code", "name", "law", "ladder_step", "sort_order"]
    list_editable = []


@admin.register(User)
class UserAdmin(VersionedAdminMixin, DjangoUserAdmin):
    form = VersionedUserChangeForm
    list_display = ["username", "first_name", "last_name", "role", "title", "is_active"]
    list_filter = ["role", "is_active"]
    readonly_fields = ["access_link"]
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or ()),
        ("Rolle i Botilbud", {"fields": ["role", "title", "access_link"]}),
    ]

    @admin.display(description="Adgangshistorik")
    def access_link(self, obj: User) -> str:
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Se hvem der gav eller fjernede adgang, og hvornår</a>', reverse("user_access", args=[obj.pk])
        )

    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        ("Rolle i Botilbud", {"fields": ["role", "title", "first_name", "last_name"]}),
    ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            # Adding a user: Django's add form, no version yet.
            return DjangoUserAdmin.get_form(self, request, obj, change=change, **kwargs)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return DjangoUserAdmin.get_fieldsets(self, request, obj)
        return super().get_fieldsets(request, obj)


@admin.register(HourPrice)
class HourPriceAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["home", "year", "hour_price"]
    list_filter = ["year"]
    search_fields = ["home__name"]


@admin.register(Municipality)
class MunicipalityAdmin(VersionedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]
