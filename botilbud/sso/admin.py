"""The administrator maps directory groups to roles and homes here.

Versioned like every other admin form (two administrators never overwrite
each other silently); each mapping's audit trail is at
/historik/gruppekobling/<id>/.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from botilbud.admin import VersionedAdminMixin, VersionedForm
from botilbud.sso.models import ExternalIdentity, GroupMapping


@admin.register(GroupMapping)
class GroupMappingAdmin(VersionedAdminMixin, admin.ModelAdmin):
    form = VersionedForm
    list_display = ["group", "description", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["group", "description"]
    filter_horizontal = ["homes", "areas"]
    readonly_fields = ["scope", "history_link"]
    fieldsets = [
        (None, {"fields": ["group", "description", "role", "homes", "areas", "is_active"]}),
        ("Historik", {"fields": ["scope", "history_link"]}),
    ]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        form.instance.refresh_scope()

    @admin.display(description="ændringshistorik")
    def history_link(self, obj: GroupMapping) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">Se hvem der har ændret koblingen</a>', reverse("history", args=["gruppekobling", obj.pk])
        )


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "subject", "last_sign_in", "deactivated_by_sso"]
    list_filter = ["provider", "deactivated_by_sso"]
    search_fields = ["user__username", "subject"]
    list_select_related = ["user"]
    readonly_fields = ["user", "provider", "issuer", "subject", "groups", "last_sign_in", "deactivated_by_sso"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
