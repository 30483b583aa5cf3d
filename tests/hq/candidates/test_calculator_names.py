"""The PR calculator words its steps and seat table with the names typed in, never the engine's ids."""

from __future__ import annotations

import re

import pytest

URL = "/candidates/how-proportional-voting-works/"
ENGINE_ID = re.compile(r"(?<![\w-])(g\d+(-\d+)?|i\d+)(?![\w-])")
TYPED = "امید: 5200, 4100, 3900, 2100, 700\nصدا: ۴۸۰۰، ۳۰۰۰، ۳۰۰۰، ۹۰۰\nنو: 1500, 1100\nمنفرد: 2600, 400"


def part(html: str, marker: str, end: str) -> str:
    start = html.index(marker)
    return html[start:html.index(end, start)]


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_steps_and_table_use_the_typed_names(client, lang):
    client.cookies["django_language"] = lang
    html = client.get(URL, {"seats": "7", "groups": TYPED}).content.decode()
    steps = part(html, 'data-testid="calc-steps"', "</ol>")
    assert not ENGINE_ID.search(visible(steps)), steps
    assert "امید" in steps and "صدا" in steps and ("منفردها" if lang == "fa" else "Independents") in steps
    table = part(html, 'id="calc-seat-table"', "</table>")
    assert not ENGINE_ID.search(visible(table))
    seats = [int(n) for n in re.findall(r'data-seats="(\d+)"', table)]
    assert sum(seats) == 7
    names = re.findall(r'<th scope="row" class="group-name">([^<]+)', table)
    assert [n.strip() for n in names] == ["امید", "صدا", "نو", "منفردها" if lang == "fa" else "Independents"]
    elected = visible(part(html, 'data-testid="calc-elected"', "</p>"))
    assert ("امید، نامزد ۱" if lang == "fa" else "امید, candidate 1") in elected
    assert not ENGINE_ID.search(elected)


def test_a_lot_in_the_calculator_is_named_by_its_number(client):
    # 2 seats, quota 3,000: نو exactly 1; امید and صدا both at .5 → a lot for the last seat.
    html = client.get(URL, {"seats": "2", "groups": "امید: 1000, 500\nصدا: 900, 600\nنو: 1500, 1000, 500"}
                      ).content.decode()
    steps = part(html, 'data-testid="calc-steps"', "</ol>")
    assert "قرعه شماره ۱" in steps and "«" not in steps
    assert "tehran-pr/seats/round-1/remainder" in html  # the lot's exact context, listed below the steps
