"""Optimistic locking: no edit silently overwrites another.

Every user-edited model is ``botilbud.models.Versioned`` (its ``version``, a positive integer). A form carries
the version the user saw; saving compares it with the row under
``SELECT … FOR UPDATE`` and refuses a stale one with ``VersionConflict``,
which names who changed what in the meantime (from the audit trail).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.utils import timezone

from botilbud.lib.history import changes_since
from botilbud.models import Versioned


class VersionConflict(Exception):
    def __init__(self, current: Versioned, seen_version: int) -> None:
        self.current = current
        self.seen_version = seen_version
        super().__init__(f"{current!r} was changed (seen v{seen_version}, now v{current.version})")

    def message(self) -> str:
        changes = changes_since(self.current, self.seen_version)
        text = (
            "Din ændring er ikke gemt: en anden har ændret de samme oplysninger, "
            "efter du åbnede siden. Se ændringen herunder, og ret så igen ud fra de nye tal."
        )
        if changes:
            # Local time (Europe/Copenhagen), as everywhere else in the app; the audit trail stores UTC.
            parts = [
                f"{c['who']} ({timezone.localtime(c['when']):%d-%m-%Y %H:%M}): " + "; ".join(c["fields"])
                for c in changes
            ]
            text += " Ændret af " + " · ".join(parts) + "."
        return text


def save_versioned(obj: Versioned, *, seen_version: int, update_fields: list[str] | None = None) -> None:
    """Save ``obj`` if nobody saved a newer version since ``seen_version``."""
    model = type(obj)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=obj.pk)
        if current.version != seen_version:
            raise VersionConflict(current, seen_version)
        obj.version = current.version + 1
        if update_fields is not None:
            update_fields = [*update_fields, "version"]
        obj.save(update_fields=update_fields)


class VersionedModelForm(forms.ModelForm):
    """A ModelForm that refuses to overwrite a newer version of its instance.

    Used by our own views and by the admin (``VersionedAdminMixin``).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.conflict: VersionConflict | None = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.instance.pk:
            seen = cleaned.get("version")
            if seen is None:
                raise forms.ValidationError("Formularen mangler versionsnummer. Genindlæs siden og prøv igen.")
            current = type(self.instance)._default_manager.filter(pk=self.instance.pk).values_list("version", flat=True)
            current_version = current.first()
            if current_version is not None and current_version != seen:
                fresh = type(self.instance)._default_manager.get(pk=self.instance.pk)
                self.conflict = VersionConflict(fresh, seen)
                raise forms.ValidationError(self.conflict.message(), code="conflict")
        return cleaned

    def save(self, commit: bool = True) -> Any:
        obj = super().save(commit=False)
        if commit:
            if obj.pk and not obj._state.adding:
                try:
                    save_versioned(obj, seen_version=self.cleaned_data["version"])
                except VersionConflict as conflict:
                    # Lost the race between clean() and save(): still refuse.
                    self.conflict = conflict
                    raise
            else:
                obj.save()
            self.save_m2m()
        return obj
