"""The follow-up round's reminders as users meet them in Chromium: the
consultant finds "Mine påmindelser" from the rounds page and turns reminders
off and on again; the e-mails follow the choice; the overdue overview lists
the late steps with whose turn it is and the deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from botilbud.models import User
from budget.followup import reminders, services
from tests.browser.conftest import axe_violations, screenshot
from tests.followup.conftest import make_march

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_reminder_setting_and_overdue_overview(org, page, login):
    for user in org.all_users:
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.dk")
    march = make_march(org)
    services.followups_for_round(round_=march, homes=[org.home_a, org.home_b])

    login(org.consultant)
    page.goto(page.base_url + "/opfoelgning/")
    page.click("text=Mine påmindelser")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Mine påmindelser"
    assert page.locator("#enabled-on").is_checked()
    assert axe_violations(page) == []
    page.check("#enabled-off")
    page.click("button:has-text('Gem')")
    page.wait_for_load_state()
    assert page.get_by_text("Påmindelser er slået fra.").is_visible()
    assert page.locator("#enabled-off").is_checked()
    screenshot(page, "followup-reminder-settings")

    # The daily job: the consultant said no, so nobody is mailed about the prepare step.
    assert reminders.send_reminders(today=dt.date(2026, 4, 9)).sent == 0
    assert mail.outbox == []
    page.check("#enabled-on")
    page.click("button:has-text('Gem')")
    page.wait_for_load_state()
    assert page.get_by_text("Påmindelser er slået til.").is_visible()
    result = reminders.send_reminders(today=dt.date(2026, 4, 9))
    assert result.opened == 2 and result.overdue == 2
    assert {m.to[0] for m in mail.outbox} == {"konsulent@example.dk"}

    # The overdue overview: both homes are late at the consultant's step (deadline 08-04-2026).
    page.goto(page.base_url + "/opfoelgning/")
    page.click("text=Forsinkede trin")
    page.wait_for_load_state()
    table = page.locator("table").first.inner_text()
    assert org.home_a.name in table and org.home_b.name in table
    assert "08-04-2026" in table
    assert axe_violations(page) == []
    screenshot(page, "followup-overdue")
    assert page.csp_errors == []
