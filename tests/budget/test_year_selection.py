"""Every year is selectable: the year selectors offer every year from the
first budget year (closed years included) to one ahead, and the year shown."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.urls import reverse

from botilbud.lib.dates import selectable_years
from budget.models import BudgetLine


def _options(html: str) -> list[int]:
    select = re.search(r'<select id="(?:f-)?aar" name="aar">(.*?)</select>', html, re.S).group(1)
    return [int(y) for y in re.findall(r'<option value="(\d{4})"', select)]


def test_selectable_years_boundaries():
    today = dt.date(2026, 12, 1)
    assert selectable_years(2026, today=today) == list(range(2021, 2028))
    assert selectable_years(2026, first=2014, today=today)[0] == 2014
    assert selectable_years(2026, first=2024, today=today)[0] == 2021  # at least five back
    assert selectable_years(2031, today=today)[-1] == 2031
    assert selectable_years(today=today) == list(range(2021, 2028))


def test_pages_offer_every_year_with_a_budget(org, client_for):
    this = dt.date.today().year
    BudgetLine.objects.create(home=org.home_a, year=this - 9, group="loen", original=Decimal("1000000"))
    expected = list(range(this - 9, this + 2))
    consultant = client_for(org.consultant)
    page = consultant.get(reverse("budget:home_budget", args=[org.home_a.pk]) + f"?aar={this - 9}").content.decode()
    assert _options(page) == expected
    assert f'<option value="{this - 9}" selected>' in page
    staffing = consultant.get(reverse("budget:staffing", args=[org.home_a.pk])).content.decode()
    assert _options(staffing) == expected
    dashboard = client_for(org.department_head).get(reverse("dashboard:department")).content.decode()
    assert _options(dashboard) == expected[::-1]
