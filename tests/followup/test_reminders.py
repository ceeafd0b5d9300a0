"""Reminders (opened / overdue, once each, opt-out), the overdue overview, cycle time."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from botilbud.models import Home, User
from budget.followup import reminders, services
from budget.followup.models import HomeFollowUp, Reminder, Round, Step
from budget.followup.tasks import reminders_daily
from tests.budget.helpers import xlsx_bytes


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def _before_deadlines():
    with time_machine.travel(dt.datetime(2026, 4, 6, 12, tzinfo=dt.UTC)):
        yield


@pytest.fixture
def emails(org):
    for user in org.all_users:
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.dk")
        user.refresh_from_db()
    return org


def test_opened_then_overdue_once_each(emails, march):
    org = emails
    services.followups_for_round(round_=march, homes=[org.home_a, org.home_b, org.home_c])
    # The consultant's step opens when the month has actuals: home A and B have them, C not.
    result = reminders.send_reminders(today=dt.date(2026, 4, 3))
    assert result.opened == 2 and result.overdue == 0
    assert {m.to[0] for m in mail.outbox} == {"konsulent@example.dk"}
    assert "Din tur" in mail.outbox[0].subject and "08-04-2026" in mail.outbox[0].body
    # Idempotent: nothing new the same day.
    assert reminders.send_reminders(today=dt.date(2026, 4, 3)).sent == 0
    # After the prepare deadline (8 April): overdue, once.
    assert reminders.send_reminders(today=dt.date(2026, 4, 9)).overdue == 2
    assert reminders.send_reminders(today=dt.date(2026, 4, 10)).sent == 0
    assert Reminder.objects.count() == 4


@pytest.mark.usefixtures("_before_deadlines")
def test_next_step_reminds_the_manager_and_send_back_reminds_again(emails, march, django_capture_on_commit_callbacks):
    org = emails
    fu = services.followups_for_round(round_=march, homes=[org.home_b])[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.followup_prepare(followup=fu, user=org.consultant, note="", seen_version=fu.version)
    assert [m.to[0] for m in mail.outbox] == ["leder@example.dk"]
    fu.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.followup_confirm(followup=fu, user=org.manager, seen_version=fu.version)
    assert mail.outbox[-1].to == ["omraadeleder@example.dk"]
    fu.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.followup_return(
            followup=fu, user=org.area_manager, comment="Ret forklaringen", seen_version=fu.version
        )
    # The manager's step reopened after a send-back: a new reminder.
    assert [m.to[0] for m in mail.outbox].count("leder@example.dk") == 2


def test_user_can_turn_reminders_off(emails, march, client_for):
    org = emails
    services.followups_for_round(round_=march, homes=[org.home_a])
    client = client_for(org.consultant)
    assert client.get(reverse("followup:reminder_settings")).status_code == 200
    assert client.post(reverse("followup:reminder_settings"), {"enabled": "0"}).status_code == 302
    assert reminders.send_reminders(today=dt.date(2026, 4, 9)).sent == 0
    client.post(reverse("followup:reminder_settings"), {"enabled": "1"})
    assert reminders.send_reminders(today=dt.date(2026, 4, 9)).sent == 2  # opened + overdue


def test_overdue_overview_is_scoped(org, march, client_for):
    services.followups_for_round(round_=march, homes=[org.home_a, org.home_c])
    with time_machine.travel(dt.datetime(2026, 4, 10, 12, tzinfo=dt.UTC)):
        html = client_for(org.manager).get(reverse("followup:overdue")).content.decode()
        assert "Egebakken" in html and "Birkelund" not in html and ">2<" in html  # 8 April → 2 days over
        html = client_for(org.department_head).get(reverse("followup:overdue")).content.decode()
        assert "Egebakken" in html and "Birkelund" in html
        assert client_for(org.caseworker).get(reverse("followup:overdue")).status_code == 404


def test_overdue_queries_are_bounded(org, march, client_for, django_assert_max_num_queries):
    services.followups_for_round(round_=march, homes=[org.home_a])
    client = client_for(org.department_head)
    with django_assert_max_num_queries(8):
        client.get(reverse("followup:overdue"))
    homes = [
        Home.objects.create(name=f"X{i}", area=org.area_north, capacity=1, target_group="handicap", cost_centre=f"9{i}")
        for i in range(6)
    ]
    services.followups_for_round(round_=march, homes=homes)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("followup:overdue")).status_code == 200


def test_cycle_time_from_import_to_approval(org, march):
    tz = dt.UTC
    assert reminders.mark_actuals_imported([march.month], dt.datetime(2026, 4, 3, 8, tzinfo=tz)) == 1
    # A re-import does not move the start.
    assert reminders.mark_actuals_imported([march.month], dt.datetime(2026, 4, 5, 8, tzinfo=tz)) == 0
    Round.objects.filter(pk=march.pk).update(approved_at=dt.datetime(2026, 4, 13, 20, tzinfo=tz))
    march.refresh_from_db()
    assert march.cycle_days == Decimal("10.5")
    fu = services.followups_for_round(round_=march, homes=[org.home_a])[0]
    HomeFollowUp.objects.filter(pk=fu.pk).update(approved_at=dt.datetime(2026, 4, 9, 8, tzinfo=tz), step=Step.AREA)
    fu = HomeFollowUp.objects.select_related("round").get(pk=fu.pk)
    assert fu.cycle_days == Decimal("6.0")


def test_import_confirm_starts_the_round(org, march, client_for):
    rows = [["52000", "5.38.50", "1.10", "15-03-2026", "1.000,00", "Løn"]]
    client = client_for(org.consultant)
    batch = client.post(
        reverse("budget:actuals_import"), {"file": SimpleUploadedFile("m.xlsx", xlsx_bytes(rows))}
    ).context["batch"]
    client.post(reverse("budget:actuals_import_confirm", args=[batch.pk]))
    march.refresh_from_db()
    assert march.actuals_imported_at is not None


def test_reminder_command(emails, march, capsys):
    services.followups_for_round(round_=march, homes=[emails.home_a])
    call_command("followup_reminders", "--date", "2026-04-09")
    assert "Påmindelser sendt: 2" in capsys.readouterr().out


def test_the_scheduled_job_sends_them_on_its_danish_date(emails, march, jobs):
    """The worker's daily run (06:00 UTC) does what the command does, for the day it was scheduled."""

    org = emails
    services.followups_for_round(round_=march, homes=[org.home_a, org.home_b, org.home_c])
    reminders_daily.defer(timestamp=int(dt.datetime(2026, 4, 3, 6, tzinfo=dt.UTC).timestamp()))
    assert jobs.run() == {"followup.reminders": "succeeded"}
    assert sorted(m.to[0] for m in mail.outbox) == ["konsulent@example.dk", "konsulent@example.dk"]
    # 9 April, after the prepare deadline (8 April): overdue, once each.
    reminders_daily.defer(timestamp=int(dt.datetime(2026, 4, 9, 6, tzinfo=dt.UTC).timestamp()))
    jobs.run()
    assert Reminder.objects.filter(kind=Reminder.Kind.OVERDUE).count() == 2
