"""The administrator's mapping from directory groups to access in Botilbud.

A login (OIDC or SAML) brings the user's groups: Entra ID object ids, AD FS
group names, or KOMBIT privileges. ``GroupMapping`` rows say what each group
gives: a role, and the homes or whole areas the role applies to. The mapping
is the only source of a single sign-on user's access: it is recomputed at
every login, so a user removed from a group loses it at the next login.
"""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models.functions import Lower

from botilbud.lib.validators import validate_no_cpr
from botilbud.models import Area, Home, Role, User, Versioned


@pghistory.track()
class GroupMapping(Versioned):
    group = models.CharField(
        "gruppe",
        max_length=255,
        help_text=(
            "Gruppens id eller navn, præcis som identitetsudbyderen sender den: i Entra ID gruppens objekt-id "
            "(GUID), i AD FS gruppenavnet, fra KOMBIT rettighedens navn. Store og små bogstaver er ligegyldige."
        ),
    )
    description = models.CharField("beskrivelse", max_length=200, blank=True, validators=[validate_no_cpr])
    role = models.CharField(
        "rolle",
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text="Tom: gruppen giver kun botilbud/områder; rollen skal komme fra en anden gruppe.",
    )
    homes = models.ManyToManyField(Home, verbose_name="botilbud", blank=True, related_name="group_mappings")
    areas = models.ManyToManyField(
        Area,
        verbose_name="områder",
        blank=True,
        related_name="group_mappings",
        help_text="Et område giver alle dets botilbud (ledere og konsulenter) eller området selv (områdeledere).",
    )
    is_active = models.BooleanField("aktiv", default=True)
    # The homes and areas as text, kept by ``refresh_scope`` after each save:
    # the audit trail tracks the row, not the many-to-many tables, so a change
    # of homes shows there as this field's before → after.
    scope = models.TextField("botilbud og områder", blank=True, editable=False)

    class Meta:
        verbose_name = "gruppekobling"
        verbose_name_plural = "gruppekoblinger"
        ordering = ["group"]
        constraints = [models.UniqueConstraint(Lower("group"), name="group_mapping_group_unique_ci")]

    def __str__(self) -> str:
        return self.description or self.group

    def save(self, *args, **kwargs) -> None:
        self.group = self.group.strip()
        super().save(*args, **kwargs)

    def refresh_scope(self) -> None:
        homes = ", ".join(sorted(h.name for h in self.homes.all()))
        areas = ", ".join(sorted(a.name for a in self.areas.all()))
        scope = " · ".join(
            part for part in [f"Botilbud: {homes}" if homes else "", f"Områder: {areas}" if areas else ""] if part
        )
        if scope != self.scope:
            self.scope = scope
            GroupMapping.objects.filter(pk=self.pk).update(scope=scope)


class ExternalIdentity(models.Model):
    """Who a user is at an identity provider: (provider, subject) → user.

    The subject is the provider's stable id (Entra ``oid``/``sub``, the SAML
    NameID), never the e-mail address, which can be reused.
    """

    class Provider(models.TextChoices):
        OIDC = "oidc", "OpenID Connect"
        SAML = "saml", "SAML 2.0"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField("udbyder", max_length=10, choices=Provider.choices)
    issuer = models.CharField("udsteder", max_length=500)
    subject = models.CharField("id hos udbyderen", max_length=500)
    groups = models.JSONField("grupper ved sidste login", default=list, blank=True)
    last_sign_in = models.DateTimeField("sidste login", null=True, blank=True)
    # True when the last login found no mapped group and so deactivated the
    # user: a later login with a mapped group may activate them again. A user
    # an administrator deactivated by hand stays deactivated.
    deactivated_by_sso = models.BooleanField("deaktiveret af login", default=False)

    class Meta:
        verbose_name = "ekstern identitet"
        verbose_name_plural = "eksterne identiteter"
        constraints = [
            models.UniqueConstraint(fields=["provider", "issuer", "subject"], name="external_identity_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.subject}"
