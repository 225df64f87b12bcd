"""Error codes with translatable messages, and the one exception type services raise.

Each app keeps an ``errors.py`` with an ``ErrorCode`` subclass. A member's value is
``(stable_code, message, http_status)``; the message is a lazy gettext string in Vietnamese (the
source language) and may hold ``{name}`` placeholders filled from ``DomainError`` parameters.
The API renders a ``DomainError`` as RFC 9457 problem+json, the CLI as one bilingual line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import Any, TypeVar

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

T = TypeVar("T")


class ErrorCode(Enum):
    """Members are declared as ``(code, message, status)``; the value is the code alone, so the lazy
    message is never evaluated at import time (Enum compares values to detect aliases)."""

    _message: Promise | str
    _status: int

    def __new__(cls, code: str, message: Promise | str, status: int) -> ErrorCode:
        member = object.__new__(cls)
        member._value_ = code
        member._message = message
        member._status = status
        return member

    @property
    def code(self) -> str:
        return str(self.value)

    @property
    def message(self) -> Promise | str:
        return self._message

    @property
    def status(self) -> int:
        return self._status


class CoreError(ErrorCode):
    INVALID_INPUT = ("core.invalid_input", _("Dữ liệu không hợp lệ."), 400)
    VALIDATION = ("core.validation", _("Dữ liệu không hợp lệ."), 422)
    BAD_REQUEST = ("core.bad_request", _("Yêu cầu không hợp lệ."), 400)
    HTTP_ERROR = ("core.http_error", _("Yêu cầu không hợp lệ."), 400)
    UNAUTHENTICATED = ("core.unauthenticated", _("Chưa đăng nhập."), 401)
    INTERNAL = ("core.internal", _("Lỗi hệ thống; không có gì bị thay đổi."), 500)
    EMPTY_VALUE = ("core.empty_value", _("Trường {field} không được để trống."), 400)
    TOO_LONG = ("core.too_long", _("Trường {field} dài quá {limit} ký tự."), 400)
    CONTROL_CHARACTERS = ("core.control_characters", _("Trường {field} chứa ký tự điều khiển."), 400)
    PERMISSION_DENIED = ("core.permission_denied", _("Bạn không có quyền thực hiện thao tác này."), 403)
    OUT_OF_JURISDICTION = (
        "core.out_of_jurisdiction",
        _("Đối tượng này nằm ngoài địa bàn bạn phụ trách."),
        403,
    )
    NOT_FOUND = ("core.not_found", _("Không tìm thấy."), 404)
    TOO_LARGE = ("core.too_large", _("Yêu cầu quá lớn; không có gì bị thay đổi."), 413)
    TOO_MANY_PARTS = (
        "core.too_many_parts",
        _(
            "Yêu cầu có quá nhiều tệp (tối đa {files}) hoặc quá nhiều trường (tối đa {fields}); không có gì bị thay đổi."
        ),
        400,
    )
    METHOD_NOT_ALLOWED = (
        "core.method_not_allowed",
        _("Phương thức {method} không dùng được ở địa chỉ này; hãy xem tiêu đề Allow."),
        405,
    )
    CSRF_FAILED = (
        "core.csrf_failed",
        _("Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF). Hãy tải lại trang và thử lại."),
        403,
    )
    FIELDS_INVALID = (
        "core.fields_invalid",
        _("{count} trường chưa hợp lệ: {fields}. Không có gì bị thay đổi."),
        400,
    )
    # The answer of a process past its capacity (http.shedding, people.hashers): nothing was done.
    OVERLOADED = ("core.overloaded", _("Máy chủ đang quá tải. Vui lòng thử lại sau giây lát."), 503)
    AUDIT_CHAIN_BROKEN = ("core.audit_chain_broken", _("Nhật ký kiểm toán bị sửa đổi tại sự kiện số {seq}."), 500)


class DomainError(Exception):
    """A refusal a person can read. Raising it changes nothing: services raise before writing."""

    def __init__(self, error: ErrorCode, /, *, field: str | None = None, **params: Any) -> None:
        self.error = error
        self.field = field
        self.params = params
        super().__init__(self.code)

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def status(self) -> int:
        return self.error.status

    def message(self, language: str | None = None) -> str:
        if language is None:
            return str(self.error.message).format(field=self.field, **self.params)
        with translation.override(language):
            return str(self.error.message).format(field=self.field, **self.params)

    def bilingual(self) -> str:
        vi, en = self.message("vi"), self.message("en")
        return vi if vi == en else f"{vi} / {en}"

    def each(self) -> tuple[DomainError, ...]:
        """The refusals this error stands for: itself, or every field's (``FieldErrors``)."""
        return (self,)

    def __str__(self) -> str:
        return f"{self.code}: {self.message('en')}"


class FieldErrors(DomainError):  # noqa: N818  (a DomainError of several fields; the name says so)
    """Several fields refused at once, so that a person corrects them all in one go (issue 11.7).

    Faces show each of ``each()`` beside its field; the API answers one problem whose ``errors`` list
    them; the CLI prints every one. Raised only for two or more: one refusal stays itself.
    """

    def __init__(self, errors: Sequence[DomainError]) -> None:
        self.errors = tuple(errors)
        fields = ", ".join(dict.fromkeys(e.field or "-" for e in self.errors))
        super().__init__(CoreError.FIELDS_INVALID, count=len(self.errors), fields=fields)

    def each(self) -> tuple[DomainError, ...]:
        return self.errors

    def bilingual(self) -> str:
        return "; ".join(e.bilingual() for e in self.errors)


class FieldCheck:
    """Runs field parsers and keeps every field refusal instead of stopping at the first.

    A refusal without a field (the request as a whole) still stops at once: nothing after it is
    meaningful.
    """

    def __init__(self) -> None:
        self.found: list[DomainError] = []

    def run(self, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except DomainError as exc:
            parts = exc.each()
            if any(part.field is None for part in parts):
                raise
            self.found.extend(parts)
            return None

    def failed(self, field: str) -> bool:
        return any(e.field == field for e in self.found)

    def raise_found(self) -> None:
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise FieldErrors(self.found)


@contextmanager
def field_check() -> Iterator[FieldCheck]:
    """``with field_check() as check: x = check.run(lambda: parse(...))``; raises what was found on exit."""
    check = FieldCheck()
    yield check
    check.raise_found()


class AccessError(ErrorCode):
    NOT_A_STAFF_ROLE = ("access.not_a_staff_role", _("Vai trò {role} không giao theo địa bàn."), 400)
    DUPLICATE_ROLE = ("access.duplicate_role", _("Người này đã có vai trò này tại địa bàn này."), 409)
    SELF_APPOINTMENT = (
        "access.self_appointment",
        _("Không ai tự giao hoặc tự thu hồi vai trò của chính mình; hãy nhờ một quản trị hệ thống khác."),
        403,
    )
    SOURCE_NOT_FOR_ROLE = (
        "access.source_not_for_role",
        _("Chỉ cán bộ cơ quan phối hợp được gắn với một nguồn dữ liệu."),
        400,
    )
    LAST_ADMINISTRATOR = (
        "access.last_administrator",
        _("Đây là quản trị hệ thống cuối cùng; hãy giao vai trò này cho người khác trước khi thu hồi."),
        409,
    )
    UNIT_NOT_CURRENT = (
        "access.unit_not_current",
        _("Địa bàn phải là đơn vị hành chính hiện hành (từ 01/07/2025)."),
        400,
    )
