"""The outreach list: registry organizations without an account yet, per commune × category, for the
door-to-door and phone work of a campaign (SPEC §4), on a page or as an XLSX workbook.

openpyxl is imported by the export, not with the module, which the reconciliation pages and API (and so
the URL configuration) import: a process that never exports does not hold it (decision 0049)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dinhdanh.core import audit
from dinhdanh.organizations.categories import Category
from dinhdanh.people.models import User
from dinhdanh.registries.audit_actions import RegistryAction
from dinhdanh.registries.cells import neutralize_for_export
from dinhdanh.registries.models import Record
from dinhdanh.registries.reconcile.scope import Scope
from dinhdanh.registries.reconcile.targets import excluded, no_account, not_excluded, targets
from dinhdanh.registries.sources import Source
from dinhdanh.registries.statuses import RegistryStatus

__all__ = ["PAGE_SIZE", "Page", "outreach", "outreach_page", "outreach_xlsx"]

PAGE_SIZE = 50


@dataclass(frozen=True)
class Page[T]:
    rows: list[T]
    number: int
    size: int
    count: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def outreach(
    scope: Scope, category: Category | None = None, *, include_excluded: bool = False
) -> QuerySet[Record]:
    """Targets with no account, sorted by commune then name; excluded ones only when asked."""
    qs = targets(scope, category).filter(no_account())
    if not include_excluded:
        qs = qs.filter(not_excluded())
    return qs.order_by("unit_path", "name_key", "pk")


def outreach_page(
    scope: Scope, category: Category | None = None, *, page: int = 1, include_excluded: bool = False
) -> Page[Record]:
    qs = outreach(scope, category, include_excluded=include_excluded)
    count = qs.count()
    start = (page - 1) * PAGE_SIZE
    # Each row carries ``is_excluded`` (annotated) for the page to mark.
    rows: list[Record] = [
        *qs.annotate(is_excluded=excluded()).select_related("commune")[start : start + PAGE_SIZE]
    ]
    return Page(rows=rows, number=page, size=PAGE_SIZE, count=count)


_FIELDS = (
    "code", "name", "category", "source", "status", "status_text", "address", "commune__name",
    "representative_name", "representative_masked", "is_excluded",
)  # fmt: skip


def _header(include_excluded: bool) -> list[str]:
    header = [
        _("STT"), _("Mã số"), _("Tên tổ chức"), _("Loại tổ chức"), _("Nguồn"), _("Tình trạng"), _("Địa chỉ"),
        _("Xã/phường"), _("Người đại diện"), _("Số định danh người đại diện"),
    ]  # fmt: skip
    if include_excluded:
        header.append(_("Đã loại khỏi chỉ tiêu"))
    return [*header, _("Kết quả liên hệ"), _("Ghi chú")]


def _cells(number: int, row: tuple[object, ...], include_excluded: bool) -> list[object]:
    code, name, category, source, status, status_text, address, commune, rep, masked, is_excluded = row
    texts = [
        code, name, Category(str(category)).label, Source(str(source)).label,
        str(status_text or RegistryStatus(str(status)).label), address, commune or "", rep, masked,
    ]  # fmt: skip
    cells: list[object] = [number, *(neutralize_for_export(str(t)) for t in texts)]
    if include_excluded:
        cells.append(_("Có") if is_excluded else "")
    return [*cells, "", ""]


def _rows(qs: QuerySet[Record], include_excluded: bool) -> Iterator[list[object]]:
    values = qs.annotate(is_excluded=excluded()).values_list(*_FIELDS)
    for number, row in enumerate(values.iterator(chunk_size=2000), start=1):
        yield _cells(number, row, include_excluded)


def outreach_xlsx(
    *,
    actor: User | None,
    scope: Scope,
    category: Category | None = None,
    include_excluded: bool = False,
    dest: IO[bytes],
) -> int:
    """Write the outreach list to ``dest`` as an XLSX workbook (written row by row, in constant memory);
    the export is audited with its filters and row count. Returns the number of rows."""
    from openpyxl import Workbook  # noqa: PLC0415  (lazy: see the module's note)

    qs = outreach(scope, category, include_excluded=include_excluded)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Danh sách vận động")[:31])
    sheet.append(_header(include_excluded))
    count = 0
    for cells in _rows(qs, include_excluded):
        sheet.append(cells)
        count += 1
    book.save(dest)
    with transaction.atomic():
        audit.record(
            RegistryAction.REGISTRY_EXPORTED,
            actor=actor,
            object_type="registries.outreach",
            object_id=scope.unit.path if scope.unit else "",
            after={
                "list": "outreach",
                "unit": scope.unit.code if scope.unit else "",
                "category": category.value if category else "",
                "include_excluded": include_excluded,
                "rows": count,
            },
            unit=scope.unit,
            read=True,
        )
    return count
