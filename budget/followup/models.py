"""The monthly budget follow-up: one fixed template per home per round.

Workflow (sign-off, section 7): the finance consultant prepares → the home
manager confirms (with explanations and, above the threshold, an action
plan) → the area manager approves, or sends it back with a comment. An
approved follow-up is frozen: ``snapshot`` holds every number the page
showed, and later imports or ledger changes never rewrite it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from botilbud.lib.dates import days_between, format_month
from botilbud.lib.validators import COMMENT_LENGTH, free_text, validate_no_cpr
from botilbud.models import AccountGroup, Area, Home, Role, User, Versioned


@pghistory.track()
class Settings(Versioned):
    """The municipality's follow-up rules (one row).

    An action plan is required when |deviation| passes the threshold: the
    smaller of ``threshold_pct`` of the home's net budget and
    ``threshold_amount`` (the seeds' "1 % of budget or 100,000 kr").
    """

    threshold_pct = models.DecimalField("tærskel (% af nettobudget)", max_digits=5, decimal_places=2, default=1)
    threshold_amount = models.DecimalField("tærskel (kr.)", max_digits=14, decimal_places=2, default=100000)

    class Meta:
        verbose_name = "opfølgningsregler"
        verbose_name_plural = "opfølgningsregler"

    def __str__(self) -> str:
        return f"Tærskel: {self.threshold_pct} % eller {self.threshold_amount} kr."

    @classmethod
    def load(cls) -> Settings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    def threshold_for(self, net_budget: Decimal) -> Decimal:
        """The smaller of the percentage of the net budget and the fixed amount."""
        pct_amount = (abs(net_budget) * self.threshold_pct / Decimal(100)).quantize(Decimal("0.01"))
        return min(pct_amount, self.threshold_amount)


@pghistory.track()
class Round(Versioned):
    """A follow-up round: the month it follows up on, and the deadlines."""

    class Status(models.TextChoices):
        OPEN = "aaben", "Åben"
        APPROVED = "godkendt", "Godkendt af fagchef"

    month = models.DateField("måned", unique=True, help_text="Den første dag i måneden, der følges op på.")
    prepare_deadline = models.DateField("frist: konsulent forbereder")
    confirm_deadline = models.DateField("frist: leder bekræfter")
    approve_deadline = models.DateField("frist: områdeleder godkender")
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.OPEN)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="godkendt af", on_delete=models.PROTECT, null=True, blank=True
    )
    approved_at = models.DateTimeField("godkendt", null=True, blank=True)
    # When the round month's actuals were first imported: the start of the round's cycle
    # time (to the department's approval). Set by the actuals import.
    actuals_imported_at = models.DateTimeField("forbrug indlæst", null=True, blank=True)
    snapshot = models.JSONField("fastfrosne tal", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "opfølgningsrunde"
        verbose_name_plural = "opfølgningsrunder"
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="round_month_is_first_day"),
            models.CheckConstraint(
                condition=Q(prepare_deadline__lte=models.F("confirm_deadline"))
                & Q(confirm_deadline__lte=models.F("approve_deadline")),
                name="round_deadlines_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Opfølgning {format_month(self.month)}"

    @property
    def year(self) -> int:
        return self.month.year

    def get_absolute_url(self) -> str:
        return reverse("followup:round_detail", args=[self.pk])

    @property
    def cycle_days(self) -> Decimal | None:
        """Days from the first import of the month's actuals to the department's approval."""

        return days_between(self.actuals_imported_at, self.approved_at)


class HomeFollowUpQuerySet(models.QuerySet["HomeFollowUp"]):
    def visible_to(self, user: User) -> HomeFollowUpQuerySet:
        return self.filter(home__in=Home.objects.visible_to(user))


class Step(models.TextChoices):
    PREPARING = "forberedes", "Konsulenten forbereder"
    MANAGER = "hos_leder", "Hos lederen"
    AREA = "hos_omraadeleder", "Hos områdelederen"
    APPROVED = "godkendt", "Godkendt"


# Whose turn it is at each step (the role that may act).
STEP_ROLE = {
    Step.PREPARING: Role.CONSULTANT,
    Step.MANAGER: Role.HOME_MANAGER,
    Step.AREA: Role.AREA_MANAGER,
}


@pghistory.track()
class HomeFollowUp(Versioned):
    round = models.ForeignKey(Round, verbose_name="runde", on_delete=models.PROTECT, related_name="home_followups")
    home = models.ForeignKey(Home, verbose_name="botilbud", on_delete=models.PROTECT, related_name="followups")
    step = models.CharField("trin", max_length=20, choices=Step.choices, default=Step.PREPARING)
    consultant_note = free_text("konsulentens bemærkning", COMMENT_LENGTH, blank=True)
    return_comment = free_text("områdelederens kommentar ved tilbagesendelse", COMMENT_LENGTH, blank=True)
    prepared_by = models.ForeignKey(
        User, verbose_name="forberedt af", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prepared_at = models.DateTimeField("forberedt", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        User, verbose_name="bekræftet af", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField("bekræftet", null=True, blank=True)
    approved_by = models.ForeignKey(
        User, verbose_name="godkendt af", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField("godkendt", null=True, blank=True)
    returned_count = models.PositiveSmallIntegerField("sendt tilbage (gange)", default=0)
    snapshot = models.JSONField("fastfrosne tal", null=True, blank=True, editable=False)

    objects = HomeFollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "budgetopfølgning"
        verbose_name_plural = "budgetopfølgninger"
        ordering = ["round", "home__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "home"], name="one_followup_per_home_per_round"),
            # Frozen means frozen: an approved follow-up always has its snapshot.
            models.CheckConstraint(
                condition=~Q(step="godkendt") | Q(snapshot__isnull=False), name="approved_followup_has_snapshot"
            ),
        ]
        indexes = [
            # The consultant's start page: this round's follow-ups of my homes.
            models.Index(fields=["home", "round"], name="followup_home_round"),
        ]

    def __str__(self) -> str:
        return f"{self.home} – {self.round}"

    def get_absolute_url(self) -> str:
        return reverse("followup:home_followup", args=[self.round_id, self.home_id])

    @property
    def is_frozen(self) -> bool:
        return self.step == Step.APPROVED

    @property
    def turn_role(self) -> str | None:
        role = STEP_ROLE.get(Step(self.step))
        return Role(role).label if role else None

    def deadline(self) -> dt.date | None:
        return {
            Step.PREPARING: self.round.prepare_deadline,
            Step.MANAGER: self.round.confirm_deadline,
            Step.AREA: self.round.approve_deadline,
        }.get(Step(self.step))

    @property
    def cycle_days(self) -> Decimal | None:
        """Days from the first import of the round month's actuals to the home's approval."""

        return days_between(self.round.actuals_imported_at, self.approved_at)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        deadline = self.deadline()
        return bool(deadline and (today or dt.date.today()) > deadline)


@pghistory.track()
class Explanation(Versioned):
    """Section 5: the manager's explanation of an account group's deviation."""

    followup = models.ForeignKey(HomeFollowUp, on_delete=models.CASCADE, related_name="explanations")
    group = models.CharField("kontogruppe", max_length=20, choices=AccountGroup.choices)
    text = free_text("forklaring", COMMENT_LENGTH)

    class Meta:
        verbose_name = "forklaring"
        verbose_name_plural = "forklaringer"
        constraints = [models.UniqueConstraint(fields=["followup", "group"], name="one_explanation_per_group")]

    def __str__(self) -> str:
        return f"{self.get_group_display()}: {self.text[:40]}"


@pghistory.track()
class Action(Versioned):
    """Section 6: one action of the action plan."""

    followup = models.ForeignKey(HomeFollowUp, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField("handling", max_length=300, validators=[validate_no_cpr])
    owner = models.CharField("ansvarlig", max_length=120, validators=[validate_no_cpr])
    deadline = models.DateField("frist")
    expected_effect = models.DecimalField(
        "forventet effekt (kr.)",
        max_digits=14,
        decimal_places=2,
        help_text="Besparelse i år som positivt beløb; den sænker prognosen.",
    )

    class Meta:
        verbose_name = "handling"
        verbose_name_plural = "handlinger"
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.description


@pghistory.track()
class AreaApproval(Versioned):
    """The area manager's approval of the area roll-up for a round."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="area_approvals")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="followup_approvals")
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)
    snapshot = models.JSONField(editable=False)

    class Meta:
        verbose_name = "godkendelse af område"
        verbose_name_plural = "godkendelser af områder"
        constraints = [models.UniqueConstraint(fields=["round", "area"], name="one_area_approval_per_round")]

    def __str__(self) -> str:
        return f"{self.area} – {self.round}"


@pghistory.track()
class ReminderPreference(Versioned):
    """A user's choice about follow-up reminders by e-mail (no row = reminders on)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="reminder_preference")
    enabled = models.BooleanField("send mig påmindelser om budgetopfølgningen", default=True)

    class Meta:
        verbose_name = "påmindelsesindstilling"
        verbose_name_plural = "påmindelsesindstillinger"


class Reminder(models.Model):
    """One e-mail sent about a follow-up step: when it opened, or when it became overdue.

    The unique key makes the sender idempotent: run it as often as you like, each person
    gets each reminder once per step (and again when a send-back reopens the step).
    """

    class Kind(models.TextChoices):
        OPENED = "aabnet", "Trinnet er åbnet"
        OVERDUE = "forsinket", "Fristen er overskredet"

    followup = models.ForeignKey(HomeFollowUp, on_delete=models.CASCADE, related_name="reminders")
    step = models.CharField(max_length=20, choices=Step.choices)
    cycle = models.PositiveSmallIntegerField(default=0, help_text="Antal tilbagesendelser, da påmindelsen blev sendt.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "påmindelse"
        verbose_name_plural = "påmindelser"
        constraints = [
            models.UniqueConstraint(
                fields=["followup", "step", "cycle", "kind", "recipient"], name="reminder_once_per_step"
            )
        ]
