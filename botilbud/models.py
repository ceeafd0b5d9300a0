"""The organisation: users with roles, areas, homes, and shared reference data.

Roles: one role per user, stored on the user (``User.role``). We chose a role
field over Django groups because every query that scopes data asks "which
role is this?" and then follows a relation (the homes a manager runs, the
areas an area manager leads, the homes a consultant serves); a single field
makes that a plain ``if`` and keeps the rule in one place
(``Home.objects.visible_to``). Django's permission flags are still used for
the admin site (administrators are staff).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Self

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from botilbud.lib.validators import validate_no_cpr

if TYPE_CHECKING:
    from collections.abc import Iterable


class Versioned(models.Model):
    """A row people edit: ``version`` counts its saves, so that a save made from a stale
    page is refused instead of silently overwriting a newer one (optimistic locking,
    ``botilbud.lib.locking``: ``save_versioned``, ``VersionedModelForm``)."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    HOME_MANAGER = "leder", "Botilbudsleder"
    AREA_MANAGER = "omraadeleder", "Områdeleder"
    CONSULTANT = "konsulent", "Økonomikonsulent"
    CASEWORKER = "sagsbehandler", "Sagsbehandler"
    AUTHORITY_HEAD = "myndighedsleder", "Myndighedsleder"
    DEPARTMENT_HEAD = "fagchef", "Fagchef"
    ADMIN = "administrator", "Administrator"


# Roles that see every home's economy.
ALL_HOMES_ROLES = {Role.DEPARTMENT_HEAD, Role.ADMIN}
# The authority ("myndighed") works with citizens and placements, never with
# the homes' wage lines and budgets.
AUTHORITY_ROLES = {Role.CASEWORKER, Role.AUTHORITY_HEAD}


@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser, Versioned):
    role = models.CharField("rolle", max_length=20, choices=Role.choices, default=Role.HOME_MANAGER)
    title = models.CharField("stilling", max_length=120, blank=True, validators=[validate_no_cpr])

    objects: ClassVar[UserManager[Self]] = UserManager()

    class Meta:
        verbose_name = "bruger"
        verbose_name_plural = "brugere"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def is_authority(self) -> bool:
        return self.role in AUTHORITY_ROLES


@pghistory.track()
class Municipality(Versioned):
    """One of Denmark's 98 municipalities, keyed by its official number
    (kommunenummer, e.g. 101 København, 147 Frederiksberg, 860 Hjørring).

    Reference data loaded by a data migration. The municipality this
    installation runs for is ``settings.MUNICIPALITY_CODE``
    (``Municipality.own_code()``); placements carry an acting and a paying
    municipality, and a placement paid by another municipality is a sale.
    """

    code = models.PositiveSmallIntegerField("kommunenummer", primary_key=True)
    name = models.CharField("navn", max_length=80, unique=True)

    class Meta:
        verbose_name = "kommune"
        verbose_name_plural = "kommuner"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @staticmethod
    def own_code() -> int:
        """The official number of the municipality this installation serves."""

        return int(getattr(settings, "MUNICIPALITY_CODE", 101))

    @classmethod
    def own(cls) -> Municipality:
        return cls.objects.get(pk=cls.own_code())

    @property
    def is_own(self) -> bool:
        return self.code == self.own_code()


@pghistory.track()
class Paragraph(Versioned):
    """A legal basis for a support measure (SEL §85, §107, §108 …), as data.

    ``ladder_step`` is the place on the intervention ladder (indsatstrappe):
    1 preventive, 2 group, 3 individual support, 4 temporary home,
    5 long-term home. The visitation form shows cheaper steps first.
    """

    class Ladder(models.IntegerChoices):
        PREVENTIVE = 1, "Forebyggende"
        GROUP = 2, "Gruppetilbud"
        INDIVIDUAL = 3, "Individuel støtte i eget hjem"
        TEMPORARY = 4, "Midlertidigt botilbud"
        LONG_TERM = 5, "Længerevarende botilbud"

    code = models.CharField("kode", max_length=30, unique=True)
    name = models.CharField("navn", max_length=200)
    law = models.CharField("lov", max_length=20, default="SEL")
    ladder_step = models.PositiveSmallIntegerField("trin på indsatstrappen", choices=Ladder.choices)
    sort_order = models.PositiveSmallIntegerField("sortering", default=0)

    class Meta:
        verbose_name = "paragraf"
        verbose_name_plural = "paragraffer"
        ordering = ["ladder_step", "sort_order", "code"]

    def __str__(self) -> str:
        return self.code


@pghistory.track()
class Area(Versioned):
    name = models.CharField("navn", max_length=120, unique=True)
    managers = models.ManyToManyField(
        User,
        verbose_name="områdeledere",
        related_name="managed_areas",
        blank=True,
        limit_choices_to={"role": Role.AREA_MANAGER},
    )

    class Meta:
        verbose_name = "område"
        verbose_name_plural = "områder"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HomeQuerySet(models.QuerySet["Home"]):
    def visible_to(self, user: User) -> HomeQuerySet:
        """The homes whose economy ``user`` may see. Every view starts here.

        The authority roles get none: they work with placements (see
        ``visitation``), not with the homes' budgets and wage lines.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in ALL_HOMES_ROLES:
            return self.all()
        if user.role == Role.AREA_MANAGER:
            return self.filter(area__managers=user).distinct()
        if user.role == Role.HOME_MANAGER:
            return self.filter(managers=user).distinct()
        if user.role == Role.CONSULTANT:
            return self.filter(consultants=user).distinct()
        return self.none()

    def writable_by(self, user: User) -> HomeQuerySet:
        """The homes whose shared ledger and follow-up ``user`` may write to:
        the home's own managers and its assigned finance consultants."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.HOME_MANAGER:
            return self.filter(managers=user).distinct()
        if user.role == Role.CONSULTANT:
            return self.filter(consultants=user).distinct()
        return self.none()


@pghistory.track()
class Home(Versioned):
    class TargetGroup(models.TextChoices):
        DISABILITY = "handicap", "Handicap"
        MENTAL_ILLNESS = "sindslidelse", "Sindslidelse"

    class Financing(models.TextChoices):
        FRAME = "ramme", "Rammebudgetteret"
        ACTIVITY = "aktivitet", "Aktivitetsbaseret"

    name = models.CharField("navn", max_length=160, unique=True)
    area = models.ForeignKey(Area, verbose_name="område", on_delete=models.PROTECT, related_name="homes")
    address = models.CharField("adresse", max_length=200, blank=True, validators=[validate_no_cpr])
    capacity = models.PositiveIntegerField("antal pladser")
    paragraphs = models.ManyToManyField(Paragraph, verbose_name="paragraffer", blank=True, related_name="homes")
    target_group = models.CharField("målgruppe", max_length=20, choices=TargetGroup.choices)
    cost_centre = models.CharField(
        "omkostningssted", max_length=20, unique=True, help_text="Omkostningsstedet i økonomisystemet."
    )
    financing = models.CharField("finansiering", max_length=20, choices=Financing.choices, default=Financing.FRAME)
    budgeted_occupancy = models.DecimalField(
        "budgetteret belægning (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("95.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text="Den belægning, takster og indtægter planlægges efter (standard 95 %).",
    )
    managers = models.ManyToManyField(
        User,
        verbose_name="ledere",
        related_name="managed_homes",
        blank=True,
        limit_choices_to={"role": Role.HOME_MANAGER},
    )
    consultants = models.ManyToManyField(
        User,
        verbose_name="økonomikonsulenter",
        related_name="consulted_homes",
        blank=True,
        limit_choices_to={"role": Role.CONSULTANT},
    )
    is_active = models.BooleanField("aktiv", default=True)

    objects = HomeQuerySet.as_manager()

    class Meta:
        verbose_name = "botilbud"
        verbose_name_plural = "botilbud"
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=0), name="home_capacity_not_negative")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("home_detail", args=[self.pk])

    def paragraph_codes(self) -> Iterable[str]:
        return [p.code for p in self.paragraphs.all()]


class AccountGroup(models.TextChoices):
    """The three account groups every budget, actual and ledger entry lands in.

    The chart of accounts (``budget``) maps the finance system's function/art
    codes to these. Expenses are positive and income negative, as in the
    municipal accounts.
    """

    WAGES = "loen", "Løn"
    OPERATIONS = "drift", "Øvrig drift"
    INCOME = "indtaegt", "Indtægter"


@pghistory.track()
class HourPrice(Versioned):
    """A home's hour price (timepris) for a budget year.

    Used by the allocation model (activity income = weekly package hours ×
    hour price × days/7) and by visitation to price a placement in an own home.
    """

    home = models.ForeignKey(Home, verbose_name="botilbud", on_delete=models.CASCADE, related_name="hour_prices")
    year = models.PositiveSmallIntegerField("år")
    hour_price = models.DecimalField("timepris (kr.)", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "timepris"
        verbose_name_plural = "timepriser"
        ordering = ["home", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["home", "year"], name="hour_price_one_per_home_year"),
            models.CheckConstraint(condition=Q(hour_price__gt=0), name="hour_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.home} {self.year}: {self.hour_price} kr./time"

    @classmethod
    def for_home(cls, home_id: int, year: int) -> HourPrice | None:
        """The price of the year, or the latest earlier one if the year has none yet."""
        return cls.objects.filter(home_id=home_id, year__lte=year).order_by("-year").first()


# --- Access grants (the M2M tables) in the audit trail -------------------------
# Who was given or lost access to a home or an area, when, and by whom: the
# through tables of Home.managers, Home.consultants and Area.managers are
# tracked (insert = access given, delete = access removed). The acting user
# comes from pghistory's middleware like every other audited write.


@pghistory.track(pghistory.InsertEvent("access.add"), pghistory.DeleteEvent("access.remove"), obj_field=None)
class HomeManagerAccess(Home.managers.through):  # type: ignore[name-defined]  # the m2m table Django makes at run time
    class Meta:
        proxy = True


@pghistory.track(pghistory.InsertEvent("access.add"), pghistory.DeleteEvent("access.remove"), obj_field=None)
class HomeConsultantAccess(Home.consultants.through):  # type: ignore[name-defined]  # the m2m table Django makes at run time
    class Meta:
        proxy = True


@pghistory.track(pghistory.InsertEvent("access.add"), pghistory.DeleteEvent("access.remove"), obj_field=None)
class AreaManagerAccess(Area.managers.through):  # type: ignore[name-defined]  # the m2m table Django makes at run time
    class Meta:
        proxy = True


# --- Background jobs ------------------------------------------------------------------


class Job(models.Model):
    """A long piece of work a user asked for (an export), run by the procrastinate
    worker (botilbud/jobs.py) so that no web worker waits for it.

    Only the user who asked sees it: every view looks it up through
    ``Job.objects.filter(owner=user)`` (another user's job is a 404). The id is a
    random UUID, so a job's address cannot be guessed either. Not in the audit
    trail: nobody edits a job; the worker writes its progress and result, and
    the job is deleted ``BOTILBUD_JOB_KEEP_HOURS`` after it was made."""

    class Status(models.TextChoices):
        QUEUED = "queued", "I kø"
        RUNNING = "running", "I gang"
        DONE = "done", "Færdig"
        FAILED = "failed", "Fejlede"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(User, verbose_name="bestilt af", on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField("slags", max_length=60)
    title = models.CharField("titel", max_length=200)
    params = models.JSONField("parametre", default=dict, blank=True)
    back_url = models.CharField("tilbage til", max_length=500, blank=True)
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField("behandlet", default=0)
    total = models.PositiveIntegerField("i alt", null=True, blank=True)
    message = models.CharField("besked", max_length=500, blank=True)
    file_name = models.CharField("filnavn", max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    # The finished file itself, in the database: the worker and the web
    # process share nothing else (no shared volume), and an export is small
    # (8,000 placements are about 0,5 MB).
    content = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField("bestilt", auto_now_add=True)
    started_at = models.DateTimeField("startet", null=True, blank=True)
    finished_at = models.DateTimeField("færdig", null=True, blank=True)

    class Meta:
        verbose_name = "baggrundsjob"
        verbose_name_plural = "baggrundsjob"
        indexes = [
            # The purge (botilbud.tasks.jobs_purge) deletes by age.
            models.Index(fields=["created_at"], name="job_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(done__lte=models.F("total")), name="job_done_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int | None:
        """How far the job is, in whole per cent (None while the total is unknown)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)

    def get_absolute_url(self) -> str:
        return reverse("job_detail", args=[self.pk])


class JobUpload(models.Model):
    """The file a job reads (an uploaded import), in chunks of about 1 MB: the web
    process and the worker share only the database, and chunks keep both sides'
    memory flat however large the file (``botilbud.jobs.job_attach_upload`` and
    ``job_upload_file``). Deleted with its job, and as soon as the job has run."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="upload_chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        verbose_name = "uploadet fil til baggrundsjob"
        verbose_name_plural = "uploadede filer til baggrundsjob"
        constraints = [models.UniqueConstraint(fields=["job", "seq"], name="job_upload_seq_unique")]

    def __str__(self) -> str:
        return f"{self.job_id} #{self.seq}"
