from django.utils.translation import gettext_lazy as _

from dinhdanh.core.errors import ErrorCode


class PeopleError(ErrorCode):
    DATA_REQUEST_OPEN = (
        "people.data_request_open",
        _("Bạn đã có một yêu cầu loại này đang được xử lý (số DR-{number}); không có yêu cầu mới nào được tạo."),
        409,
    )
    DATA_REQUEST_STATE = (
        "people.data_request_state",
        _("Yêu cầu DR-{number} đang ở trạng thái “{state}”, nên không thể {action}. Không có gì bị thay đổi."),
        409,
    )
    DATA_REQUEST_EXTENDED = (
        "people.data_request_extended",
        _("Yêu cầu DR-{number} đã được gia hạn một lần; chỉ được gia hạn một lần."),
        409,
    )
    ALREADY_REGISTERED = ("people.already_registered", _("Số định danh này đã có tài khoản."), 409)
    REGISTERED_BEFORE = (
        "people.registered_before",
        _(
            "Số định danh này đã có tài khoản, nên không có tài khoản mới nào được tạo. Nếu bạn quên mật khẩu, "
            "hãy dùng “Quên mật khẩu”. Nếu tài khoản đó không do bạn đăng ký, hãy mang thẻ căn cước đến cơ quan "
            "công an nơi gần nhất để được cập nhật số điện thoại."
        ),
        409,
    )
    REGISTER_THROTTLED = (
        "people.register_throttled",
        _("Có quá nhiều lượt đăng ký từ địa chỉ mạng này. Vui lòng thử lại sau {seconds} giây."),
        429,
    )
    # Identical for an unknown number and a wrong password: the message must not tell them apart.
    INVALID_LOGIN = ("people.invalid_login", _("Số định danh hoặc mật khẩu không đúng."), 401)
    THROTTLED = (
        "people.throttled",
        _("Đã thử sai quá nhiều lần. Vui lòng thử lại sau {seconds} giây."),
        429,
    )
    ACCOUNT_LOCKED = (
        "people.account_locked",
        _("Tài khoản đang bị khóa. Liên hệ cơ quan công an gần nhất để được mở khóa."),
        403,
    )
    SECOND_FACTOR_REQUIRED = ("people.second_factor_required", _("Cần xác thực yếu tố thứ hai."), 401)
    SECOND_FACTOR_INVALID = ("people.second_factor_invalid", _("Mã xác thực không đúng hoặc đã được dùng."), 401)
    SIGNIN_EXPIRED = (
        "people.signin_expired",
        _("Phiên đăng nhập đã hết hạn. Vui lòng nhập lại số định danh và mật khẩu."),
        401,
    )
    STEP_UP_REQUIRED = (
        "people.step_up_required",
        _("Thao tác này cần xác thực lại bằng mã xác thực hoặc vân tay/khuôn mặt."),
        403,
    )
    NO_SECOND_FACTOR = (
        "people.no_second_factor",
        _("Tài khoản chưa có yếu tố xác thực thứ hai. Hãy đăng ký ứng dụng xác thực hoặc khóa truy cập."),
        409,
    )
    OTP_INVALID = ("people.otp_invalid", _("Mã OTP không đúng."), 400)
    OTP_EXPIRED = ("people.otp_expired", _("Mã OTP đã hết hạn hoặc đã dùng hết số lần thử. Hãy gửi lại mã."), 400)
    OTP_TOO_SOON = ("people.otp_too_soon", _("Vui lòng chờ {seconds} giây trước khi gửi lại mã."), 429)
    OTP_TOO_MANY = ("people.otp_too_many", _("Đã gửi quá nhiều mã trong một giờ. Vui lòng thử lại sau."), 429)
    REGISTRATION_EXPIRED = (
        "people.registration_expired",
        _("Hồ sơ đăng ký đã hết hạn hoặc không tồn tại. Vui lòng đăng ký lại."),
        404,
    )
    BIRTH_DATE_MISMATCH = (
        "people.birth_date_mismatch",
        _("Năm sinh không khớp với số định danh cá nhân."),
        400,
    )
    BIRTH_DATE_INVALID = ("people.birth_date_invalid", _("Ngày sinh không hợp lệ."), 400)
    BIRTH_DATE_REQUIRED = ("people.birth_date_required", _("Nhập ngày sinh."), 400)
    BIRTH_DATE_FUTURE = ("people.birth_date_future", _("Ngày sinh không được sau hôm nay."), 400)
    FULL_NAME_REQUIRED = ("people.full_name_required", _("Nhập họ và tên."), 400)
    NAME_SYMBOLS = (
        "people.name_symbols",
        _(
            "Tên chỉ gồm chữ, số, dấu cách và các dấu . , - ' \" & ( ) / :; bỏ ký hiệu, biểu tượng cảm xúc và dấu < >."
        ),
        400,
    )
    PASSWORD_REQUIRED = ("people.password_required", _("Nhập mật khẩu."), 400)
    TOO_YOUNG = (
        "people.too_young",
        _("Người dưới 6 tuổi do cha, mẹ hoặc người giám hộ đăng ký tại cơ quan công an."),
        400,
    )
    PHONE_INVALID = ("people.phone_invalid", _("Số điện thoại không hợp lệ (ví dụ 0912345678)."), 400)
    EMAIL_INVALID = ("people.email_invalid", _("Địa chỉ thư điện tử không hợp lệ."), 400)
    CONSENT_REQUIRED = (
        "people.consent_required",
        _("Cần đồng ý cho xử lý dữ liệu cá nhân để đăng ký tài khoản."),
        400,
    )
    PASSWORD_REJECTED = ("people.password_rejected", _("{reasons}"), 400)
    PASSWORD_MISMATCH = ("people.password_mismatch", _("Hai mật khẩu không giống nhau."), 400)
    PASSWORD_WRONG = ("people.password_wrong", _("Mật khẩu hiện tại không đúng."), 400)
    PORTRAIT_TOO_LARGE = ("people.portrait_too_large", _("Ảnh chân dung lớn quá {limit_mb} MB."), 413)
    PORTRAIT_INVALID = ("people.portrait_invalid", _("Ảnh chân dung phải là tệp JPEG hoặc PNG hợp lệ."), 400)
    PORTRAIT_REQUIRED = ("people.portrait_required", _("Cần tải lên ảnh chân dung."), 400)
    TOTP_ALREADY = ("people.totp_already", _("Tài khoản đã có ứng dụng xác thực."), 409)
    TOTP_NOT_STARTED = ("people.totp_not_started", _("Hãy bắt đầu lại việc đăng ký ứng dụng xác thực."), 409)
    LEVEL_ALREADY = ("people.level_already", _("Tài khoản đã ở mức độ {level}."), 409)
    LEVEL_NOT_PENDING = ("people.level_not_pending", _("Yêu cầu này đã được xử lý."), 409)
    REASON_REQUIRED = ("people.reason_required", _("Cần ghi rõ lý do."), 400)
    CARD_INVALID = ("people.card_invalid", _("Số giấy tờ tùy thân không hợp lệ."), 400)
    CARD_MISMATCH = (
        "people.card_mismatch",
        _(
            "Số trên thẻ không khớp với số định danh cá nhân của tài khoản này. Hãy đối chiếu lại thẻ, "
            "hoặc tra cứu tài khoản bằng đúng số trên thẻ."
        ),
        400,
    )
    ALREADY_LOCKED = ("people.already_locked", _("Tài khoản đã bị khóa."), 409)
    NOT_LOCKED = ("people.not_locked", _("Tài khoản không bị khóa."), 409)
    SESSION_NOT_FOUND = ("people.session_not_found", _("Không tìm thấy phiên đăng nhập."), 404)
    PERSON_NOT_FOUND = ("people.person_not_found", _("Không tìm thấy tài khoản với số định danh này."), 404)
    PASSKEY_NOT_FOUND = ("people.passkey_not_found", _("Không tìm thấy khóa truy cập."), 404)
    PASSKEY_INVALID = (
        "people.passkey_invalid",
        _("Xác thực bằng khóa truy cập không thành công. Vui lòng thử lại."),
        400,
    )
    CHALLENGE_EXPIRED = (
        "people.challenge_expired",
        _("Yêu cầu xác thực đã hết hạn hoặc đã được dùng. Vui lòng thử lại."),
        400,
    )
