from django.utils.translation import gettext_lazy as _

from dinhdanh.core.errors import ErrorCode


class GeoError(ErrorCode):
    UNKNOWN_UNIT = ("geo.unknown_unit", _("Không có đơn vị hành chính mã {code}."), 404)
    MALFORMED_CODE = ("geo.malformed_code", _("Mã đơn vị hành chính {code} không đúng định dạng."), 400)
    UNKNOWN_LEVEL = (
        "geo.unknown_level",
        _("Cấp đơn vị {level} không tồn tại (province, district, commune)."),
        400,
    )
    UNKNOWN_SCHEME = ("geo.unknown_scheme", _("Hệ đơn vị {scheme} không tồn tại (2025, 2008)."), 400)
    AMBIGUOUS_LEGACY_CODE = (
        "geo.ambiguous_legacy_code",
        _("Mã xã cũ {code} đã được chia cho nhiều xã mới ({candidates}); hãy dùng mã xã mới."),
        400,
    )
    QUERY_TOO_SHORT = ("geo.query_too_short", _("Từ khóa tìm kiếm cần ít nhất 2 ký tự."), 400)
    # Villages and residential groups (issue 14.0).
    NOT_A_CURRENT_COMMUNE = (
        "geo.not_a_current_commune",
        _("Đơn vị {code} không phải xã, phường, đặc khu đang có hiệu lực."),
        400,
    )
    VILLAGE_CODE_MALFORMED = (
        "geo.village_code_malformed",
        _("Mã thôn, tổ dân phố {code} không đúng định dạng: 1 đến 8 chữ số, chữ cái không dấu, '-' hoặc '_'."),
        400,
    )
    VILLAGE_NEEDS_COMMUNE = (
        "geo.village_needs_commune",
        _("Mã thôn, tổ dân phố chỉ có nghĩa trong một xã; hãy tìm theo mã xã."),
        400,
    )
    VILLAGE_DUPLICATE = (
        "geo.village_duplicate",
        _("{commune} đã có thôn, tổ dân phố mã {code} ({name}); mã đã dùng không dùng lại."),
        409,
    )
    VILLAGE_NAME_DIFFERS = (
        "geo.village_name_differs",
        _("{commune} đã có mã {code} với tên {name}; muốn đổi tên thì dùng chức năng đổi tên."),
        409,
    )
    NOT_A_VILLAGE = ("geo.not_a_village", _("Đơn vị {code} không phải thôn, tổ dân phố."), 400)
    VILLAGE_RETIRED = ("geo.village_retired", _("{name} đã thôi hiệu lực từ sau ngày {day}."), 409)
    END_BEFORE_START = (
        "geo.end_before_start",
        _("Ngày thôi hiệu lực {day} trước ngày bắt đầu hiệu lực {start} của {name}."),
        400,
    )
    AT_LINE = ("geo.at_line", _("Dòng {line}: {reason}"), 400)
    CSV_HEADER = (
        "geo.csv_header",
        _("Dòng 1 của tệp phải là commune_code,code,name (tệp có: {found})."),
        400,
    )
    CSV_COLUMNS = ("geo.csv_columns", _("Dòng cần đúng 3 cột commune_code,code,name; dòng này có {count}."), 400)
    CSV_MALFORMED = (
        "geo.csv_malformed",
        _("Dòng không đúng định dạng CSV (thường do dấu ngoặc kép không đóng)."),
        400,
    )
    CSV_DUPLICATE = ("geo.csv_duplicate", _("Mã {code} của xã {commune} đã có ở dòng {first_line} của tệp."), 400)
    CSV_EMPTY = ("geo.csv_empty", _("Tệp không có dòng dữ liệu nào."), 400)
    CSV_TOO_LARGE = ("geo.csv_too_large", _("Tệp có hơn {limit} dòng; hãy chia nhỏ theo tỉnh."), 413)
    CSV_ENCODING = ("geo.csv_encoding", _("Tệp không phải văn bản UTF-8; hãy lưu lại thành CSV UTF-8."), 400)
    VILLAGES_CHANGED = (
        "geo.villages_changed",
        _("Danh sách thôn, tổ dân phố vừa được người khác thay đổi; hãy nạp lại tệp. Chưa có gì được lưu."),
        409,
    )
    # Merging and splitting communes (geo.reform).
    REFORM_NOTHING = ("geo.reform_nothing", _("Chưa chọn đơn vị nào để sáp nhập hoặc chia tách."), 400)
    REFORM_SPLIT_TOO_FEW = (
        "geo.reform_split_too_few",
        _("Chia tách cần ít nhất hai đơn vị nhận; để nhập trọn vào một đơn vị, hãy dùng sáp nhập."),
        400,
    )
    REFORM_SAME_UNIT = (
        "geo.reform_same_unit",
        _("Đơn vị {code} được nêu hai lần trong cùng một lần sắp xếp."),
        400,
    )
    REFORM_DATE_LATE = (
        "geo.reform_date_late",
        _("Ngày hiệu lực {day} còn ở tương lai; hãy thực hiện vào ngày nghị quyết có hiệu lực."),
        400,
    )
    REFORM_DATE_EARLY = (
        "geo.reform_date_early",
        _("Ngày hiệu lực {day} phải sau ngày {name} bắt đầu hiệu lực ({start})."),
        400,
    )
    REFORM_UNASSIGNED = (
        "geo.reform_unassigned",
        _("Chưa chỉ định {kind} số {pk} về đơn vị nào; không có gì bị thay đổi."),
        400,
    )
    REFORM_TARGET_OUTSIDE = (
        "geo.reform_target_outside",
        _("{kind} số {pk} được chỉ định về {code}, không phải đơn vị nhận của lần chia tách này."),
        400,
    )
