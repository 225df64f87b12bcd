"""Why a backup or a restore was refused (issue 16.3); each one changes nothing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.errors import ErrorCode


class BackupError(ErrorCode):
    NO_FOLDER = ("backup.no_folder", _("Thư mục {folder} không tồn tại."), 400)
    KEYS_SAME_FILE = ("backup.keys_same_file", _("Tệp khóa phải khác tệp sao lưu."), 400)
    TOOL_MISSING = (
        "backup.tool_missing",
        _("Thiếu chương trình {tool} (gói postgresql-client) để sao lưu hoặc phục hồi PostgreSQL."),
        500,
    )
    DATABASE = ("backup.database", _("Cơ sở dữ liệu không sao lưu hoặc phục hồi được: {reason}"), 500)
    NOT_FOUND = ("backup.not_found", _("Không có tệp {file}."), 400)
    NOT_A_BACKUP = ("backup.not_a_backup", _("Tệp {file} không phải bản sao lưu của dinhdanh, hoặc đã hỏng."), 400)
    NOT_KEYS = ("backup.not_keys", _("Tệp {file} không phải tệp khóa của dinhdanh, hoặc đã hỏng."), 400)
    NEWER_VERSION = (
        "backup.newer_version",
        _("Bản sao lưu được tạo bởi phiên bản mới hơn (có {migrations}); hãy cài phiên bản đó rồi phục hồi."),
        409,
    )
    OTHER_DATABASE = (
        "backup.other_database",
        _("Bản sao lưu là của {made}, còn nơi phục hồi dùng {here}."),
        409,
    )
    KEYS_MISSING = (
        "backup.keys_missing",
        _("Thiếu khóa mà bản sao lưu cần: {names}. Hãy chỉ ra tệp khóa (--keys) hoặc đặt biến môi trường."),
        409,
    )
    TARGET_NOT_EMPTY = (
        "backup.target_not_empty",
        _(
            "Nơi phục hồi đã có cơ sở dữ liệu; hãy phục hồi vào thư mục dữ liệu hoặc cơ sở dữ liệu mới, "
            "hoặc dừng dịch vụ và dùng --replace để ghi đè."
        ),
        409,
    )
