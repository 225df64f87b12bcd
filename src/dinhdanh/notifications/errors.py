from django.utils.translation import gettext_lazy as _

from dinhdanh.core.errors import ErrorCode


class NotificationError(ErrorCode):
    NOT_RETRYABLE = (
        "notify.not_retryable",
        _("Chỉ gửi lại được thông báo đang lỗi hoặc đã dừng gửi."),
        409,
    )
    SECRET_ERASED = (
        "notify.secret_erased",
        _("Thông báo này chứa mã dùng một lần đã được xóa; người nhận cần yêu cầu mã mới."),
        409,
    )
