"""File-level refusals of a registry import: the whole file is refused, nothing is imported.

Row-level reasons (a bad tax code, an unknown commune) live with the field normalizers; a file-level
error means no row can be trusted, so the import stops before any snapshot is written.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.errors import ErrorCode

__all__ = ["RegistryError"]

# Clerks cannot fix an encoding or a delimiter in the file itself; every message ends with what to do
# in Excel, because "save as CSV UTF-8" or "save as XLSX" fixes almost every case.


class RegistryError(ErrorCode):
    UNKNOWN_SOURCE = (
        "registries.unknown_source",
        _("Nguồn danh sách {source} không tồn tại (business, cooperative, tax, home_affairs, survey, police)."),
        400,
    )
    DUPLICATE_IN_FILE = ("registries.duplicate_in_file", _("Mã {value} đã có ở dòng {first_row} của tệp."), 400)
    UNREADABLE = ("registries.unreadable", _("Không đọc được tệp; hãy tải lên lại."), 400)
    BINARY_FILE = (
        "registries.binary_file",
        _("Tệp không phải bảng tính CSV hay XLSX (có dữ liệu nhị phân). Hãy lưu lại thành XLSX hoặc CSV UTF-8."),
        400,
    )
    UNKNOWN_ENCODING = (
        "registries.unknown_encoding",
        _("Không nhận ra bảng mã của tệp. Hãy lưu lại thành CSV UTF-8 hoặc XLSX."),
        400,
    )
    INVALID_TEXT = (
        "registries.invalid_text",
        _("Dòng {row} có ký tự không hợp lệ trong bảng mã {encoding}. Hãy lưu lại thành CSV UTF-8 hoặc XLSX."),
        400,
    )
    MALFORMED_CSV = (
        "registries.malformed_csv",
        _("Dòng {row} không đúng định dạng CSV (thường do dấu ngoặc kép không đóng)."),
        400,
    )
    EMPTY_FILE = ("registries.empty_file", _("Tệp không có dữ liệu."), 400)
    NO_HEADER = (
        "registries.no_header",
        _(
            "Không tìm thấy dòng tiêu đề: không cột nào trùng tên cột quy định. Dòng đầu tiên có: {found}. "
            "Dòng tiêu đề phải là dòng đầu của bảng."
        ),
        400,
    )
    MISSING_COLUMNS = (
        "registries.missing_columns",
        _("Thiếu cột bắt buộc: {missing}. Các cột có trong tệp: {found}."),
        400,
    )
    DUPLICATE_COLUMN = (
        "registries.duplicate_column",
        _("Hai cột «{first}» và «{second}» cùng là trường {field}; hãy xóa một cột."),
        400,
    )
    WRONG_DELIMITER = (
        "registries.wrong_delimiter",
        _("Tệp chỉ có một cột «{header}»: có vẻ sai dấu phân cách ({separator}). Hãy lưu lại thành CSV UTF-8."),
        400,
    )
    TRUNCATED = (
        "registries.truncated",
        _("Tệp XLSX bị hỏng hoặc không trọn vẹn (có thể tải lên bị ngắt giữa chừng). Hãy tải lên lại."),
        400,
    )
    TOO_LARGE = (
        "registries.too_large",
        _("Tệp lớn {size} byte, vượt giới hạn {limit} byte. Hãy chia nhỏ tệp."),
        413,
    )
    UNSUPPORTED_FORMAT = (
        "registries.unsupported_format",
        _(
            "Định dạng tệp không được hỗ trợ: chỉ nhận CSV và XLSX (tệp Excel 97-2003 .xls hay tệp có mật khẩu "
            "không đọc được). Hãy mở tệp trong Excel và lưu lại thành XLSX hoặc CSV UTF-8."
        ),
        400,
    )
