"""Small things users saw (issue 12): Danish time and decimals, unique labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from botilbud.lib.locking import VersionConflict, save_versioned
from botilbud.lib.money import percent
from botilbud.models import Home, Paragraph
from budget.views.common import selectable_years
from visitation.forms import PlacementForm
from visitation.models import Offer, Provider


def test_admin_shows_and_accepts_a_decimal_comma(org, client_for):
    client = client_for(org.administrator)
    url = reverse("admin:botilbud_home_change", args=[org.home_a.pk])
    page = client.get(url).content.decode()
    assert 'value="95,00"' in page
    assert 'value="95.00"' not in page


def test_conflict_message_prints_local_time(org):
    home = Home.objects.get(pk=org.home_a.pk)
    home.capacity = 13
    save_versioned(home, seen_version=home.version)
    stale = Home.objects.get(pk=org.home_a.pk)
    event = Home.pgh_event_model.objects.filter(pgh_obj_id=home.pk).order_by("-pgh_created_at").first()
    when = event.pgh_created_at  # the audit trail stores UTC
    local = timezone.localtime(when)
    assert local.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2))  # Copenhagen, never UTC
    message = VersionConflict(stale, seen_version=stale.version - 1).message()
    assert f"{local:%d-%m-%Y %H:%M}" in message
    assert f"{when.astimezone(dt.UTC):%d-%m-%Y %H:%M}" not in message


def test_placement_form_offer_labels_are_unique(org):
    own, _ = Provider.objects.get_or_create(name="Egne botilbud", defaults={"kind": Provider.Kind.OWN})

    for code in ("§108", "§85"):
        Offer.objects.create(
            provider=own, name="Samme navn", paragraph=Paragraph.objects.get(code=code), home=org.home_a
        )
    form = PlacementForm()
    labels = [label for value, label in form.fields["offer"].choices if value]
    assert len(labels) == len(set(labels))
    assert any("(§108, Egne botilbud)" in label for label in labels)


def test_percent_helper_rounds_half_up():
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 16) == Decimal("6.3")  # 6,25 → 6,3 (half up, not half even)
    assert percent(5, 0) is None


def test_staff_hours_tool_offers_the_year_shown(org, client_for):
    assert selectable_years(2023, dt.date(2026, 12, 1)) == list(range(2021, 2028))
    assert selectable_years(2019, dt.date(2026, 12, 1))[0] == 2019
    assert selectable_years(2030, dt.date(2026, 12, 1))[-1] == 2030
    page = client_for(org.manager).get(reverse("budget:staffing", args=[org.home_a.pk]) + "?aar=2023")
    assert page.status_code == 200
    assert '<option value="2023" selected>' in page.content.decode()


def test_pages_name_a_favicon_that_exists(org, client_for):
    """Browsers asked for /favicon.ico (a 404 in every console) until the page named its icon."""

    page = client_for(org.manager).get("/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg' in page
    assert finders.find("img/favicon.svg")
