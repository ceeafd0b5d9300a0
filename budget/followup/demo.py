"""Demo follow-ups: last year's and this year's past rounds approved and
frozen (some with action plans), and the current round in progress."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone

from botilbud.demo import DemoContext
from botilbud.lib.bulk import copy_create, update_rows
from botilbud.lib.dates import add_months
from botilbud.models import AccountGroup, Area, Home
from budget.followup.models import Action, AreaApproval, Explanation, HomeFollowUp, Round, Settings, Step
from budget.followup.selectors import forecast_after_plan, live_numbers, rollup

ACTIONS = [
    ("Stop for brug af eksterne vikarer i weekender", "Botilbudsleder", Decimal("60000")),
    ("Genbesæt ledig stilling med lavere anciennitet", "Botilbudsleder", Decimal("45000")),
    ("Udskyd indkøb af nye møbler til næste år", "Botilbudsleder", Decimal("25000")),
    ("Gennemgå vagtplan for overlap i dagvagter", "Områdeleder", Decimal("80000")),
]
EXPLANATIONS = {
    AccountGroup.WAGES: "Merforbrug på vikarer under langtidssygemeldinger og barsel.",
    AccountGroup.OPERATIONS: "Uforudsete udgifter til vedligehold efter vandskade.",
    AccountGroup.INCOME: "Færre beboere end budgetteret efter to fraflytninger.",
}


def round_for(month: dt.date) -> Round:
    nxt = add_months(month, 1)
    return Round(
        month=month,
        prepare_deadline=nxt.replace(day=8),
        confirm_deadline=nxt.replace(day=12),
        approve_deadline=nxt.replace(day=16),
    )


def seed(ctx: DemoContext) -> None:
    Settings.load()
    this_month = ctx.today.replace(day=1)
    first = dt.date(ctx.today.year - 1, 1, 1)
    months = []
    month = first
    while month < this_month:
        months.append(month)
        month = add_months(month, 1)
    rounds = Round.objects.bulk_create([round_for(m) for m in months])
    users_by_pk = {u.pk: u for u in ctx.users.values()}
    area_managers = {
        area_id: users_by_pk.get(user_id)
        for area_id, user_id in Area.managers.through.objects.values_list("area_id", "user_id")
    }
    consultant = ctx.users.get("konsulent")
    managers = {
        home_id: users_by_pk.get(user_id)
        for home_id, user_id in Home.managers.through.objects.filter(home__in=ctx.homes).values_list(
            "home_id", "user_id"
        )
    }
    rng = ctx.rng
    now = timezone.now()

    # Past rounds except the last one: approved and frozen. The last past
    # round (last month) is the current round, in progress.
    current = rounds[-1] if rounds else None
    for round_ in rounds:
        numbers = live_numbers(ctx.homes, round_, with_entries=True)
        followups, explanations, actions = [], [], []
        for index, home in enumerate(ctx.homes):
            n = numbers[home.pk]
            if round_ is current:
                step = [Step.PREPARING, Step.MANAGER, Step.AREA, Step.APPROVED][index % 4]
                # The demo manager's homes wait for the consultant, so the
                # whole flow can be tried from the start.
                if index < 2:
                    step = Step.PREPARING
            else:
                step = Step.APPROVED
            fu = HomeFollowUp(round=round_, home=home, step=step)
            if step != Step.PREPARING:
                fu.prepared_by, fu.prepared_at = consultant, now
            if step in (Step.AREA, Step.APPROVED):
                fu.confirmed_by, fu.confirmed_at = managers.get(home.pk), now
            with_plan = n["action_required"]
            if step == Step.APPROVED:
                snapshot = dict(n)
                snapshot["explanations"] = {}
                snapshot["actions"] = []
                if with_plan:
                    worst = max(n["economy"], key=lambda r: abs(Decimal(r["deviation"])))
                    snapshot["explanations"] = {worst["group"]: EXPLANATIONS[AccountGroup(worst["group"])]}
                    desc, owner, effect = ACTIONS[rng.randrange(len(ACTIONS))]
                    snapshot["actions"] = [
                        {
                            "description": desc,
                            "owner": owner,
                            "deadline": add_months(round_.month, 2).isoformat(),
                            "expected_effect": str(effect),
                        }
                    ]
                snapshot["forecast_after_plan"] = str(
                    forecast_after_plan(n["totals"]["forecast"], [a["expected_effect"] for a in snapshot["actions"]])
                )
                snapshot["signoff"] = {
                    "prepared": [str(consultant), now.isoformat()],
                    "confirmed": [str(managers.get(home.pk) or ""), now.isoformat()],
                    "approved": [str(area_managers.get(home.area_id, "")), now.isoformat()],
                }
                fu.snapshot = snapshot
                fu.approved_by = area_managers.get(home.area_id)
                fu.approved_at = now
                fu._plan = snapshot  # type: ignore[attr-defined]  # a seeding note on the unsaved instance
            followups.append(fu)
        # COPY, not INSERT: psycopg quotes an INSERT's JSON parameters in Python
        # (an array of them character by character: 42 s of the large seed).
        copy_create(HomeFollowUp, followups)
        for fu in followups:
            plan = getattr(fu, "_plan", None)
            if plan:
                explanations += [Explanation(followup=fu, group=g, text=t) for g, t in plan["explanations"].items()]
                actions += [
                    Action(
                        followup=fu,
                        description=a["description"],
                        owner=a["owner"],
                        deadline=dt.date.fromisoformat(a["deadline"]),
                        expected_effect=Decimal(a["expected_effect"]),
                    )
                    for a in plan["actions"]
                ]
        Explanation.objects.bulk_create(explanations, batch_size=1000)
        Action.objects.bulk_create(actions, batch_size=1000)
        # The next round reads these rounds back ("change since last time");
        # inside the seeding transaction the tables have no statistics yet.
        # The columns those queries filter on only: the snapshots' statistics are
        # not needed, and reading every snapshot again each round is.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE followup_homefollowup (round_id, home_id, step), followup_round")
    ctx.log.append(f"{len(rounds)} opfølgningsrunder, {len(rounds) * len(ctx.homes)} opfølgninger")


def _current_import(round_: Round, today: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """When the current round's actuals were imported: the 3rd of the next month at 08:00,
    as for the past rounds, but never after the demo's today (07:00) nor after a step a
    home has already taken in the round (the cycle time is counted from the import)."""

    steps = HomeFollowUp.objects.filter(round=round_).aggregate(
        prepared=Min("prepared_at"), confirmed=Min("confirmed_at"), approved=Min("approved_at")
    )
    candidates: list[dt.datetime] = [
        dt.datetime.combine(add_months(round_.month, 1).replace(day=3), dt.time(8, 0), tzinfo=tz),
        dt.datetime.combine(today, dt.time(7, 0), tzinfo=tz),
        *(moment for moment in steps.values() if moment is not None),
    ]
    return min(candidates)


def seed_cycle(ctx: DemoContext) -> None:
    """The rhythm of the demo's past rounds: when the month's actuals were imported
    (the 3rd of the next month), when each home was prepared, confirmed and approved
    (a few days apart, a few homes late), and the areas' and the department's approval
    (their roll-ups of the frozen homes, as ``area_approve``/``round_approve`` compute them).
    The current round keeps its steps, so the reminders job has something to send."""

    rounds = list(Round.objects.order_by("month"))
    if len(rounds) < 2:
        return
    head = ctx.users.get("fagchef")
    area_managers = dict(Area.managers.through.objects.values_list("area_id", "user_id"))
    rng = ctx.rng
    tz = timezone.get_current_timezone()
    approvals, approved_rounds = [], []
    for round_ in rounds[:-1]:
        imported = dt.datetime.combine(add_months(round_.month, 1).replace(day=3), dt.time(8, 0), tzinfo=tz)
        followups = list(
            HomeFollowUp.objects.filter(round=round_, home__is_active=True)
            .select_related("home")
            .annotate(actions_count=Count("actions"))
        )
        latest = imported
        by_area: dict[int, list[HomeFollowUp]] = {}
        for fu in followups:
            late = rng.random() < 0.15
            fu.prepared_at = imported + dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 6))
            fu.confirmed_at = fu.prepared_at + dt.timedelta(days=rng.randint(1, 6 if late else 3))
            fu.approved_at = fu.confirmed_at + dt.timedelta(days=rng.randint(1, 8 if late else 3))
            latest = max(latest, fu.approved_at)
            by_area.setdefault(fu.home.area_id, []).append(fu)
        if round_ is rounds[-2] and len(ctx.homes) > 2:
            # One home of last round still waits for its area manager: an overdue step.
            late_fu = next((fu for fu in followups if fu.home_id == ctx.homes[2].pk), None)
            if late_fu is not None:
                late_fu.step, late_fu.approved_at, late_fu.approved_by = Step.AREA, None, None
                late_fu.version += 1
        update_rows(
            HomeFollowUp, followups, ["prepared_at", "confirmed_at", "approved_at", "step", "approved_by", "version"]
        )
        round_.actuals_imported_at = imported
        if head is None or not all(fu.is_frozen for fu in followups) or not all(a in area_managers for a in by_area):
            Round.objects.filter(pk=round_.pk).update(actuals_imported_at=imported)
            continue
        for area_id, area_followups in by_area.items():
            approvals.append(
                AreaApproval(
                    round=round_,
                    area_id=area_id,
                    approved_by_id=area_managers[area_id],
                    snapshot=rollup(area_followups, {}),
                )
            )
        round_.snapshot = rollup(followups, {})
        round_.status = Round.Status.APPROVED
        round_.approved_by = head
        round_.approved_at = latest + dt.timedelta(days=rng.randint(1, 3))
        round_.version += 1
        approved_rounds.append(round_)
    copy_create(AreaApproval, approvals)  # COPY, not INSERT (see ``seed``)
    Round.objects.bulk_update(
        approved_rounds, ["actuals_imported_at", "snapshot", "status", "approved_by", "approved_at", "version"]
    )
    current = rounds[-1]
    Round.objects.filter(pk=current.pk).update(actuals_imported_at=_current_import(current, ctx.today, tz))
    ctx.log.append(f"opfølgningsrytme: {len(approved_rounds)} runder godkendt med cyklustid")
