"""File-level refusals of a registry import: the whole file is refused, nothing is imported.

Row-level reasons (a bad tax code, an unknown commune) live with the field normalizers; a file-level
error means no row can be trusted, so the import stops before any snapshot is written.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.errors import ErrorCode

__all__ = ["JobError", "RegistryError"]

# Clerks cannot fix an encoding or a delimiter in the file itself; every message ends with what to do
# in Excel, because "save as CSV UTF-8" or "save as XLSX" fixes almost every case.


class RegistryError(ErrorCode):
    NO_UNITS = (
        "registries.no_units",
        _(
            "Chưa nạp danh mục đơn vị hành chính, nên không đối chiếu được xã, phường của dòng nào; "
            "hãy chạy `dinhdanh load_units` (hoặc `dinhdanh migrate`) rồi nhập lại tệp. Chưa có gì được lưu."
        ),
        409,
    )
    UNKNOWN_SOURCE = (
        "registries.unknown_source",
        _("Nguồn danh sách {source} không tồn tại (business, cooperative, tax, home_affairs, survey, police)."),
        400,
    )
    DUPLICATE_IN_FILE = ("registries.duplicate_in_file", _("Mã {value} đã có ở dòng {first_row} của tệp."), 400)
    UNCODED_TWICE_IN_FILE = (
        "registries.uncoded_twice_in_file",
        _("Tổ chức không có mã «{value}» ở cùng xã đã có ở dòng {first_row} của tệp."),
        400,
    )
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
    TERRITORY_REQUIRED = (
        "registries.territory_required",
        _(
            "Danh sách đầy đủ phải ghi rõ địa bàn (mã tỉnh 2 chữ số, mã xã 5 chữ số, hoặc «all» cho cả nước): "
            "chỉ các tổ chức của địa bàn đó không có trong tệp mới được đánh dấu không còn trong danh sách."
        ),
        400,
    )
    UNKNOWN_TERRITORY = (
        "registries.unknown_territory",
        _("Địa bàn {value} không phải mã tỉnh (2 chữ số) hay mã xã (5 chữ số) hiện hành, hay «all» (cả nước)."),
        400,
    )
    CONFIRM_DISAPPEARANCE = (
        "registries.confirm_disappearance",
        _(
            "Tệp này sẽ đánh dấu {count} trong {total} tổ chức của {territory} là «không còn trong danh sách». "
            "Nếu đây đúng là danh sách đầy đủ của {territory}, hãy xác nhận rồi nhập lại; nếu tệp chỉ có một "
            "phần danh sách hoặc các thay đổi, hãy chọn «Một phần hoặc các thay đổi». Chưa có gì được nhập."
        ),
        409,
    )
    SHEET_TOO_WIDE = (
        "registries.sheet_too_wide",
        _(
            "Trang tính đầu tiên có dữ liệu đến ô {cell} (cột thứ {columns}, tối đa {limit} cột). Thường là một ô "
            "thừa gõ nhầm xa bên phải: hãy xóa các cột thừa (hoặc chép vùng danh sách sang tệp mới) rồi lưu lại."
        ),
        400,
    )
    SHEET_TOO_LARGE = (
        "registries.sheet_too_large",
        _(
            "Vùng dữ liệu của trang tính đầu tiên quá lớn ({rows} dòng × {columns} cột, đến ô {cell}; tối đa {limit} "
            "ô). Hãy xóa các dòng, cột thừa hoặc chia danh sách thành nhiều tệp, hoặc lưu thành CSV UTF-8."
        ),
        413,
    )
    SHARED_STRINGS_TOO_LARGE = (
        "registries.shared_strings_too_large",
        _("Bảng chuỗi văn bản của tệp XLSX quá lớn ({size} byte, tối đa {limit}). Hãy lưu thành CSV UTF-8."),
        413,
    )
    SHEET_STRAY_CELL = (
        "registries.sheet_stray_cell",
        _(
            "Trang tính đầu tiên có dữ liệu ở ô {cell}, cách xa phần còn lại của danh sách (thường là một ô gõ "
            "nhầm). Hãy xóa các dòng, cột thừa (hoặc chép vùng danh sách sang tệp mới) rồi lưu lại."
        ),
        400,
    )


class JobError(ErrorCode):
    NO_FILE = ("registries.no_file", _("Hãy chọn tệp danh sách (CSV hoặc XLSX) để tải lên."), 400)
    FILE_TOO_LARGE = (
        "registries.file_too_large",
        _("Tệp lớn hơn giới hạn {limit} cho phép. Hãy chia danh sách thành nhiều tệp nhỏ hơn."),
        413,
    )
    TOO_MANY_PENDING = (
        "registries.too_many_pending",
        _("Bạn đang có {count} tệp chờ nhập. Hãy đợi các tệp này nhập xong rồi tải lên tiếp."),
        429,
    )
    WORKER_DIED = (
        "registries.job_died",
        _(
            "Quá trình nhập tệp đã dừng giữa chừng (máy chủ khởi động lại hoặc tiến trình bị dừng) nên chưa có "
            "gì được nhập từ tệp này; tệp đã được xóa. Hãy tải tệp lên lại."
        ),
        500,
    )
    APPLY_STOPPED = (
        "registries.apply_stopped",
        _(
            "Danh sách đã được nhập nhưng việc cập nhật các tổ chức theo danh sách đã dừng nhiều lần; hệ thống "
            "sẽ tự cập nhật phần còn lại. Không cần tải tệp lên lại."
        ),
        500,
    )
