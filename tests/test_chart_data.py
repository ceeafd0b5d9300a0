"""One chart pipeline: every chart's data is JSON in a <template> beside it
(``chart_data``, json_script's escaping), drawn by static/js/charts.js."""

from __future__ import annotations

import json
from decimal import Decimal

from django.template import Context, Template

from botilbud.templatetags.botilbud import chart_data


def test_chart_data_is_json_in_a_template_element_that_text_cannot_leave():
    spec = {"title": "</template><script>alert(1)</script> & «co»", "values": [Decimal("1.50"), None]}
    html = Template('{{ spec|chart_data:"budget-chart" }}').render(Context({"spec": spec}))
    start, end = '<template id="budget-chart-data" class="chart-data">', "</template>"
    assert html.startswith(start) and html.endswith(end)
    body = html[len(start) : -len(end)]
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body) == {"title": spec["title"], "values": ["1.50", None]}


def test_the_element_id_is_escaped():
    assert str(chart_data({}, 'x" onload="y')).startswith('<template id="x&quot; onload=&quot;y-data"')
