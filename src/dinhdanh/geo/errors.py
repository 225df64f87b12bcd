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
