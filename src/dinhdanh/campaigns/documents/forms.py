"""The form of the documents page: what it shows and keeps between tries. What is valid is decided by
``header.parse_request`` alone (the page, the service and a script agree); its refusals are put back
beside their fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dinhdanh.campaigns.documents.header import LABELS, LIMITS, Kind
from dinhdanh.campaigns.models import Plan
from dinhdanh.core.errors import DomainError

__all__ = ["DocumentForm"]


def _text(name: str, *, required: bool, placeholder: str = "") -> forms.CharField:
    attrs = {"maxlength": str(LIMITS[name])}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.CharField(label=LABELS[name], required=required, widget=forms.TextInput(attrs=attrs))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label=LABELS["kind"],
        choices=[
            (Kind.PHASE.value, _("Báo cáo sơ kết giai đoạn")),
            (Kind.FINAL.value, _("Báo cáo tổng kết kế hoạch")),
        ],
        widget=forms.RadioSelect,
    )
    phase = forms.ChoiceField(label=LABELS["phase"], required=False)
    as_of = forms.DateField(
        label=LABELS["as_of"], required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Để trống: ngày cuối của giai đoạn (hoặc của kế hoạch), hoặc hôm nay nếu chưa đến ngày đó."),
    )  # fmt: skip
    dated = forms.DateField(
        label=LABELS["dated"], required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    superior_body = _text("superior_body", required=False, placeholder="UBND TỈNH KIÊN GIANG")
    issuing_body = _text("issuing_body", required=True, placeholder="Công an tỉnh Kiên Giang")
    number = forms.CharField(
        label=LABELS["number"], required=False, widget=forms.TextInput(attrs={"maxlength": "6", "inputmode": "numeric"}),
        help_text=_("Để trống để văn thư ghi số khi đăng ký văn bản."),
    )  # fmt: skip
    symbol = _text("symbol", required=True, placeholder="BC-CAT")
    place = _text("place", required=True, placeholder="Kiên Giang")
    signer_authority = _text("signer_authority", required=False, placeholder="KT. GIÁM ĐỐC")
    signer_title = _text("signer_title", required=True, placeholder="PHÓ GIÁM ĐỐC")
    signer_name = _text("signer_name", required=True, placeholder="Nguyễn Văn A")
    recipients = forms.CharField(
        label=LABELS["recipients"], required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Mỗi nơi nhận một dòng; dòng “Lưu: VT” được thêm nếu chưa có."),
    )  # fmt: skip

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        phases = plan.phases.order_by("number")
        self.fields["phase"].choices = [  # type: ignore[attr-defined]
            (str(p.number), f"{p.number}. {p.name} ({p.starts_on:%d/%m/%Y} – {p.ends_on:%d/%m/%Y})")
            for p in phases
        ]

    def refused(self, error: DomainError) -> None:
        """Show ``error``'s refusals beside their fields (the form as a whole for one without a field)."""
        for part in error.each():
            name = part.field if part.field in self.fields else None
            self.add_error(name, part.message())
