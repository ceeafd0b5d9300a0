"""One sign-in for every identity provider: user, role and homes from groups.

``sign_in(account)`` is called by the OIDC and the SAML backend after the
provider's token or assertion has been verified. It creates or updates the
user, recomputes role and homes from the administrator's ``GroupMapping``
rows, and refuses (``SignInRefused``, with a Danish message) a user whom no
active mapping gives a role. A refused user who exists is deactivated at once,
which also ends their open sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pghistory
from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from botilbud.models import Area, Home, Role, User
from botilbud.sso.models import ExternalIdentity, GroupMapping

# When a user's groups give several roles, the one with the widest access wins.
ROLE_PRECEDENCE = [
    Role.ADMIN,
    Role.DEPARTMENT_HEAD,
    Role.AUTHORITY_HEAD,
    Role.AREA_MANAGER,
    Role.CONSULTANT,
    Role.CASEWORKER,
    Role.HOME_MANAGER,
]

NO_GROUP_MESSAGE = (
    "Du har ikke adgang til Botilbud: ingen af dine grupper i kommunens brugerkatalog giver adgang. "
    "Kontakt din leder eller kommunens administrator af Botilbud, hvis du skal have adgang."
)
NO_ROLE_MESSAGE = (
    "Du har ikke adgang til Botilbud: dine grupper giver adgang til botilbud, men ingen rolle. "
    "Kontakt kommunens administrator af Botilbud."
)
DEACTIVATED_MESSAGE = "Din bruger er deaktiveret i Botilbud. Kontakt kommunens administrator af Botilbud."
BREAK_GLASS_MESSAGE = "Nødadministratoren kan ikke logge ind med kommunens konto. Brug nødadgangen med adgangskode."
NO_SUBJECT_MESSAGE = "Identitetsudbyderen sendte ikke et bruger-id. Kontakt kommunens administrator af Botilbud."


class SignInRefused(Exception):
    """A verified login that Botilbud refuses; ``message`` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ExternalAccount:
    provider: str  # ExternalIdentity.Provider
    issuer: str
    subject: str
    username: str
    groups: list[str] = field(default_factory=list)
    email: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass
class Grant:
    role: str | None
    home_ids: set[int]
    area_ids: set[int]
    mapping_ids: list[int]


def resolve_grant(groups: list[str]) -> Grant:
    """What the active mappings of ``groups`` give (case-insensitive match)."""
    wanted = {g.strip().lower() for g in groups if g and g.strip()}
    if not wanted:
        return Grant(None, set(), set(), [])
    mappings = list(
        GroupMapping.objects.annotate(key=Lower("group"))
        .filter(key__in=wanted, is_active=True)
        .prefetch_related("homes", "areas")
        .order_by("pk")
    )
    roles = {m.role for m in mappings if m.role}
    role = next((r for r in ROLE_PRECEDENCE if r in roles), None)
    home_ids = {h.pk for m in mappings for h in m.homes.all()}
    area_ids = {a.pk for m in mappings for a in m.areas.all()}
    return Grant(role, home_ids, area_ids, [m.pk for m in mappings])


def _apply_memberships(user: User, grant: Grant) -> None:
    """Set the user's homes/areas to exactly what the grant gives for the role."""
    role = grant.role
    homes: set[int] = set()
    areas: set[int] = set()
    if role in (Role.HOME_MANAGER, Role.CONSULTANT):
        homes = set(grant.home_ids) | set(Home.objects.filter(area_id__in=grant.area_ids).values_list("pk", flat=True))
    elif role == Role.AREA_MANAGER:
        areas = set(grant.area_ids)
    user.managed_homes.set(homes if role == Role.HOME_MANAGER else [])
    user.consulted_homes.set(homes if role == Role.CONSULTANT else [])
    user.managed_areas.set(Area.objects.filter(pk__in=areas))


def _revoke(user: User, identity: ExternalIdentity | None) -> None:
    if user.is_active:
        user.is_active = False
        user.version += 1
        user.save(update_fields=["is_active", "version"])
    user.managed_homes.clear()
    user.consulted_homes.clear()
    user.managed_areas.clear()
    if identity is not None and not identity.deactivated_by_sso:
        identity.deactivated_by_sso = True
        identity.save(update_fields=["deactivated_by_sso"])


def _unique_username(wanted: str) -> str:
    base = (wanted or "bruger")[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def sign_in(account: ExternalAccount) -> User:
    """Create or update the user behind a verified login, or refuse it."""
    if not account.subject:
        raise SignInRefused(NO_SUBJECT_MESSAGE)
    break_glass = (getattr(settings, "BOTILBUD_BREAK_GLASS_USER", "") or "").lower()
    with pghistory.context(source="sso", provider=account.provider), transaction.atomic():
        identity = (
            ExternalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(provider=account.provider, issuer=account.issuer, subject=account.subject)
            .first()
        )
        user = identity.user if identity else None
        if user is None and account.username:
            # An account created beforehand (by hand or by an import) is taken
            # over by its first single sign-on; its password stops working.
            user = User.objects.filter(username__iexact=account.username).first()
            if user is not None and user.external_identities.exists():
                user = None  # already linked to another identity: make a new user
        if user is not None and break_glass and user.username.lower() == break_glass:
            raise SignInRefused(BREAK_GLASS_MESSAGE)

        grant = resolve_grant(account.groups)
        refusal = None
        if not grant.mapping_ids:
            refusal = NO_GROUP_MESSAGE
        elif grant.role is None:
            refusal = NO_ROLE_MESSAGE
        elif user is not None and not user.is_active and not (identity and identity.deactivated_by_sso):
            refusal = DEACTIVATED_MESSAGE
        if refusal:
            if user is not None and refusal != DEACTIVATED_MESSAGE:
                _revoke(user, identity)
                if identity is not None:
                    identity.groups = account.groups
                    identity.save(update_fields=["groups"])
            # Raised after the block, so that the revocation is committed.
            refused = SignInRefused(refusal)
        else:
            refused = None
            user = _upsert_user(user, account, grant)
            _apply_memberships(user, grant)
            if identity is None:
                identity = ExternalIdentity(
                    user=user, provider=account.provider, issuer=account.issuer, subject=account.subject
                )
            identity.groups = account.groups
            identity.last_sign_in = timezone.now()
            identity.deactivated_by_sso = False
            identity.save()
    if refused is not None:
        raise refused
    assert user is not None  # not refused: the sign-in created or updated the user
    return user


def _upsert_user(user: User | None, account: ExternalAccount, grant: Grant) -> User:
    is_admin = grant.role == Role.ADMIN
    values = {
        "email": account.email or (user.email if user else ""),
        "first_name": (account.first_name or (user.first_name if user else ""))[:150],
        "last_name": (account.last_name or (user.last_name if user else ""))[:150],
        "role": grant.role,
        "is_active": True,
        "is_staff": is_admin,
        "is_superuser": is_admin,
    }
    if user is None:
        user = User(username=_unique_username(account.username or account.subject), **values)
        user.set_unusable_password()
        user.save()
        return user
    changed = [name for name, value in values.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, values[name])
    if user.has_usable_password():
        user.set_unusable_password()
        changed.append("password")
    if changed:
        user.version += 1
        user.save(update_fields=[*changed, "version"])
    return user
