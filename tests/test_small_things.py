"""Small things users saw (issue 12): Danish time and decimals, unique labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from botilbud.lib.locking import VersionConflict, save_versioned
from botilbud.lib.money import percent
from botilbud.models import Home, Paragraph
from botilbud.templatetags.botilbud import figure
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


def test_the_figure_tag_escapes_as_format_html_did():
    """``{% figure %}`` escapes with html.escape (a roll-up page marks about 2,000 figures):
    the same attributes as format_html's conditional_escape, a safe string left as it is."""

    class Moment:
        key = "live<\"&'>"
        month_key = "2026-03"

    odd = "a<b>&\"c'"
    for args in [("forecast", 3, Moment()), (odd, odd, odd, odd), ("x", mark_safe("&amp;"), "", "m"), ("f", "", None)]:
        name, home, moment = args[:3]
        month = args[3] if len(args) > 3 else ""
        key = getattr(moment, "key", moment or "")
        m = month or getattr(moment, "month_key", "")
        assert figure(*args) == format_html(
            'data-figure="{}" data-home="{}" data-moment="{}" data-month="{}"', name, home, key, m
        )
        assert figure(name, home, moment, month, scope=odd) == format_html(
            'data-figure="{}" data-scope="{}" data-moment="{}" data-month="{}"', name, odd, key, m
        )
