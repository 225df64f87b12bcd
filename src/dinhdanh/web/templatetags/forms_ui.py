"""The error summary at the top of a form (GOV.UK pattern): every error of every form on the page, each
a link to its field, so a person learns all that is wrong in one submit."""

from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()


def _anchor(field: forms.BoundField) -> str:
    # A radio or checkbox group has no element with the field's own id; its first option does.
    if field.field.widget.use_fieldset and field.subwidgets:
        return str(field.subwidgets[0].id_for_label)
    return str(field.id_for_label or field.auto_id or "")


def summary_entries(*forms_on_page: Any) -> list[tuple[str, str]]:
    """(anchor id or "", message) for each error, in the order the fields appear."""
    entries: list[tuple[str, str]] = []
    for form in forms_on_page:
        if not isinstance(form, forms.BaseForm) or not form.errors:
            continue
        entries.extend(("", str(message)) for message in form.non_field_errors())
        for field in form:
            if field.is_hidden:
                entries.extend(("", f"{field.label}: {message}") for message in field.errors)
                continue
            entries.extend((_anchor(field), str(message)) for message in field.errors)
    return entries


@register.inclusion_tag("web/_error_summary.html")
def error_summary(*forms_on_page: Any) -> dict[str, Any]:
    return {"entries": summary_entries(*forms_on_page)}


@register.simple_tag
def any_errors(*forms_on_page: Any) -> bool:
    return any(isinstance(form, forms.BaseForm) and bool(form.errors) for form in forms_on_page)
