"""The change history in plain words (issue 15.7): labels for field names, unit names for ids, labels for
codes, dd/mm/yyyy for dates — in both languages; odd stored values are shown, never an error."""

from __future__ import annotations

import pytest
from django.utils import translation

from dinhdanh.organizations.history import change_lines
from dinhdanh.organizations.models import ChangeOrigin, OrganizationChange
from tests.organizations.factories import commune, make_organization

pytestmark = pytest.mark.django_db


def _change(changes: dict[str, object]) -> OrganizationChange:
    organization = make_organization()
    return OrganizationChange.objects.create(
        organization=organization, origin=ChangeOrigin.values[0], changes=changes
    )


def test_ids_codes_and_dates_become_words() -> None:
    old, new = commune(index=0), commune(index=1)
    change = _change(
        {
            "head_office_id": [old.pk, new.pk],
            "short_name": ["", "ABC"],
            "established_on": ["2020-01-31", None],
        }
    )
    with translation.override("vi"):
        lines = [(line.label, line.before, line.after) for line in change_lines(change)]
    assert lines[0][1:] == (old.name, new.name)
    assert lines[0][0] != "head_office_id"
    assert lines[1] == ("Tên viết tắt", "—", "ABC")
    assert lines[2] == ("Ngày thành lập", "31/01/2020", "—")
    with translation.override("en"):
        labels = [line.label for line in change_lines(change)]
    assert "short_name" not in labels
    assert "head_office_id" not in labels


def test_a_category_code_shows_its_label() -> None:
    change = _change({"category": ["enterprise", "cooperative"]})
    (line,) = change_lines(change)
    assert "enterprise" not in (line.before, line.after)


@pytest.mark.parametrize(
    "stored",
    [{"unknown_key": [1, 2]}, {"name": "only-after"}, {"established_on": ["not-a-date", "2021-02-30"]}, {}],
)
def test_odd_stored_values_are_shown_not_hidden(stored: dict[str, object]) -> None:
    lines = change_lines(_change(stored))
    assert len(lines) == len(stored)
    for line in lines:
        assert line.label
        assert line.before
        assert line.after


def test_the_profile_page_uses_the_labels(client: object) -> None:
    from django.template import Context, Template

    change = _change({"short_name": ["", "<b>X</b>"]})
    out = Template(
        "{% load org_history %}{% for l in c|change_lines %}{{ l.label }}: {{ l.after }}{% endfor %}"
    ).render(Context({"c": change}))
    assert "short_name" not in out
    assert "&lt;b&gt;X&lt;/b&gt;" in out
