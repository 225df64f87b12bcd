"""Refusals of the campaigns' plans: the plan file's errors (each named by its line) and the services'."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.errors import DomainError, ErrorCode


class PlanError(ErrorCode):
    # The plan file (``plan_format``): each is reported with its line.
    YAML_SYNTAX = ("campaigns.plan.yaml_syntax", _("không đọc được YAML: {problem}"), 400)
    EMPTY_FILE = ("campaigns.plan.empty_file", _("tệp kế hoạch trống"), 400)
    FILE_TOO_LARGE = ("campaigns.plan.file_too_large", _("tệp kế hoạch lớn quá {limit} byte"), 413)
    NOT_A_MAPPING = ("campaigns.plan.not_a_mapping", _("{what}: cần các cặp khóa: giá trị"), 400)
    NOT_A_LIST = ("campaigns.plan.not_a_list", _("{what}: cần một danh sách (mỗi mục bắt đầu bằng -)"), 400)
    NOT_A_SCALAR = (
        "campaigns.plan.not_a_scalar",
        _("{key}: cần một giá trị đơn, không phải bảng hay danh sách"),
        400,
    )
    UNKNOWN_KEY = ("campaigns.plan.unknown_key", _("khóa {key} không có trong định dạng kế hoạch"), 400)
    UNKNOWN_KEY_HINT = (
        "campaigns.plan.unknown_key_hint",
        _("khóa {key} không có trong định dạng kế hoạch; có phải ý bạn là {suggestion}?"),
        400,
    )
    MISSING_KEY = ("campaigns.plan.missing_key", _("{what}: thiếu khóa {key}"), 400)
    DUPLICATE_KEY = ("campaigns.plan.duplicate_key", _("khóa {key} lặp lại (đã có ở dòng {first})"), 400)
    EMPTY_VALUE = ("campaigns.plan.empty_value", _("{key}: không được để trống"), 400)
    TOO_LONG = ("campaigns.plan.too_long", _("{key}: dài quá {limit} ký tự"), 400)
    CONTROL_CHARACTERS = ("campaigns.plan.control_characters", _("{key}: chứa ký tự điều khiển"), 400)
    BAD_SLUG = (
        "campaigns.plan.bad_slug",
        _("slug: chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (có: {value})"),
        400,
    )
    RESERVED_SLUG = (
        "campaigns.plan.reserved_slug",
        _("slug: “{value}” là tên dành cho các trang của hệ thống; hãy chọn tên khác"),
        400,
    )
    BAD_DATE = ("campaigns.plan.bad_date", _("{key}: ngày không hợp lệ ({value}); hãy viết YYYY-MM-DD"), 400)
    BAD_TIME = ("campaigns.plan.bad_time", _("{key}: giờ không hợp lệ ({value}); hãy viết HH:MM"), 400)
    BAD_INTEGER = ("campaigns.plan.bad_integer", _("{key}: cần một số nguyên không âm (có: {value})"), 400)
    BAD_CHOICE = (
        "campaigns.plan.bad_choice",
        _("{key}: không có giá trị {value}; dùng một trong: {choices}"),
        400,
    )
    BAD_CHOICE_HINT = (
        "campaigns.plan.bad_choice_hint",
        _("{key}: không có giá trị {value}; có phải ý bạn là {suggestion}?"),
        400,
    )
    BAD_UNIT_CODE = (
        "campaigns.plan.bad_unit_code",
        _("{key}: mã đơn vị {value} không hợp lệ; hãy viết mã tỉnh (2 số), huyện (3 số) hoặc xã (5 số)"),
        400,
    )
    UNKNOWN_UNIT = ("campaigns.plan.unknown_unit", _("{key}: không có đơn vị hành chính mã {code}"), 400)
    UNKNOWN_UNIT_NAME = (
        "campaigns.plan.unknown_unit_name",
        _("{key}: không có đơn vị hành chính tên {name}"),
        400,
    )
    UNKNOWN_UNIT_NAME_HINT = (
        "campaigns.plan.unknown_unit_name_hint",
        _("{key}: không có đơn vị hành chính tên {name}; có phải ý bạn là {suggestion}?"),
        400,
    )
    AMBIGUOUS_UNIT = (
        "campaigns.plan.ambiguous_unit",
        _("{key}: có nhiều đơn vị tên {name}: {candidates}; hãy ghi mã đơn vị"),
        400,
    )
    RETIRED_UNIT = (
        "campaigns.plan.retired_unit",
        _("{key}: đơn vị {code} ({name}) không có hiệu lực vào ngày {day}"),
        400,
    )
    UNIT_OUTSIDE = ("campaigns.plan.unit_outside", _("{key}: đơn vị {code} ({name}) không thuộc {parent}"), 400)
    PHASE_BACKWARDS = (
        "campaigns.plan.phase_backwards",
        _("giai đoạn {number} kết thúc ({ends}) trước khi bắt đầu ({starts})"),
        400,
    )
    PHASE_OVERLAP = (
        "campaigns.plan.phase_overlap",
        _("giai đoạn {number} ({starts} – {ends}) chồng lên giai đoạn {other} ({other_starts} – {other_ends})"),
        400,
    )
    PHASE_DUPLICATE = (
        "campaigns.plan.phase_duplicate",
        _("giai đoạn {number} lặp lại (đã có ở dòng {first})"),
        400,
    )
    UNKNOWN_PHASE = ("campaigns.plan.unknown_phase", _("phase: không có giai đoạn {number}"), 400)
    NO_PHASES = ("campaigns.plan.no_phases", _("kế hoạch cần ít nhất một giai đoạn"), 400)
    DUE_OUTSIDE_PHASE = (
        "campaigns.plan.due_outside_phase",
        _("due_on: ngày {due} nằm ngoài giai đoạn {number} ({starts} – {ends})"),
        400,
    )
    VALUE_OR_PERCENT = (
        "campaigns.plan.value_or_percent",
        _("chỉ tiêu cần đúng một trong hai khóa value hoặc percent"),
        400,
    )
    PERCENT_OVER = ("campaigns.plan.percent_over", _("percent: {value}% vượt quá 100%"), 400)
    ABOVE_BASELINE = (
        "campaigns.plan.above_baseline",
        _("value: chỉ tiêu {value} lớn hơn tổng số {baseline} (baseline)"),
        400,
    )
    BASELINE_REGISTRY_SEGMENT = (
        "campaigns.plan.baseline_registry_segment",
        _("baseline: registry chỉ dùng cho chỉ tiêu của một loại tổ chức, không dùng cho đối tượng {segment}"),
        400,
    )
    BASELINE_REGISTRY_UNIT = (
        "campaigns.plan.baseline_registry_unit",
        _(
            "baseline: sổ đăng ký chỉ có số liệu nền của tỉnh và xã hiện hành; "
            "với {name} ({code}) hãy ghi tổng số bằng con số"
        ),
        400,
    )
    BASELINE_MISSING = (
        "campaigns.plan.baseline_missing",
        _(
            "baseline: chưa có số liệu nền của {name} ({code}) cho {segment} tính đến ngày {day}; "
            "hãy chốt số liệu nền trước (dinhdanh reconcile --unit {code} --baseline YYYY-MM-DD)"
        ),
        400,
    )
    BASELINE_NO_POLICE_LIST = (
        "campaigns.plan.baseline_no_police_list",
        _(
            "baseline: chưa có danh sách đơn vị Công an (nguồn police, đầy đủ) của {name} ({code}) "
            "nhập đến ngày {day}, hoặc danh sách không có đơn vị nào ở đó; hãy nhập danh sách trước "
            "hoặc ghi tổng số bằng con số"
        ),
        400,
    )
    BASELINE_FORBIDDEN = (
        "campaigns.plan.baseline_forbidden",
        _("baseline: bạn không được xem số liệu nền của {name} ({code}); hãy ghi tổng số bằng con số"),
        403,
    )
    DUPLICATE_TARGET = (
        "campaigns.plan.duplicate_target",
        _("chỉ tiêu {metric}/{segment} của đơn vị {unit} ở giai đoạn {phase} trùng với dòng {first}"),
        400,
    )
    ALLOCATION_NOT_ABSOLUTE = (
        "campaigns.plan.allocation_not_absolute",
        _("allocations: chỉ phân bổ được chỉ tiêu số tuyệt đối (value)"),
        400,
    )
    ALLOCATION_SUM = (
        "campaigns.plan.allocation_sum",
        _("allocations: các phần phân bổ cộng lại {total}, khác chỉ tiêu {value}"),
        400,
    )
    ALLOCATION_NEEDS = (
        "campaigns.plan.allocation_needs",
        _("allocations: mỗi phần cần value hoặc baseline (để chia theo tỷ lệ)"),
        400,
    )
    TASK_DEADLINE = (
        "campaigns.plan.task_deadline",
        _("deadline: hãy ghi một ngày YYYY-MM-DD hoặc regular (thường xuyên); có: {value}"),
        400,
    )
    DUPLICATE_TASK = (
        "campaigns.plan.duplicate_task",
        _("nhiệm vụ số {number} lặp lại (đã có ở dòng {first})"),
        400,
    )
    # The services.
    FILE_INVALID = (
        "campaigns.plan.file_invalid",
        _("Tệp kế hoạch có {count} lỗi; không có gì được ghi."),
        400,
    )
    PLAN_EXISTS = (
        "campaigns.plan.exists",
        _("Đã có kế hoạch {slug}; muốn thay thế thì nạp lại với tùy chọn thay thế (--replace)."),
        409,
    )
    PLAN_NOT_FOUND = ("campaigns.plan.not_found", _("Không có kế hoạch {slug}."), 404)
    TASK_HAS_UPDATES = (
        "campaigns.plan.task_has_updates",
        _("Nhiệm vụ số {number} đã có cập nhật; tệp thay thế không được bỏ nhiệm vụ này."),
        409,
    )
    EDITED_EXCEED = (
        "campaigns.allocation.edited_exceed",
        _("Các phần đã sửa cộng lại {fixed}, vượt chỉ tiêu {total} được phân bổ."),
        400,
    )
    NOTHING_TO_SPREAD = (
        "campaigns.allocation.nothing_to_spread",
        _("Còn {rest} chưa phân bổ nhưng mọi phần đều đã sửa tay; hãy sửa lại một phần."),
        400,
    )
    NEGATIVE_WEIGHT = ("campaigns.allocation.negative_weight", _("Tổng số (mẫu số) không được âm."), 400)
    VALUE_INVALID = ("campaigns.target.value_invalid", _("Giá trị chỉ tiêu phải là số nguyên không âm."), 400)
    TASK_UPDATE_EMPTY = ("campaigns.task.update_empty", _("Cập nhật nhiệm vụ cần nội dung."), 400)
    # Editing in the application (``plan_edits``, ``task_services``).
    PLAN_CLOSED = (
        "campaigns.plan.closed",
        _("Kế hoạch {reference} đã kết thúc; không sửa, không cập nhật được nữa."),
        409,
    )
    STATUS_TRANSITION = (
        "campaigns.plan.status_transition",
        _("Không chuyển được kế hoạch từ “{before}” sang “{after}”."),
        409,
    )
    VALUE_TOO_LARGE = (
        "campaigns.target.value_too_large",
        _("Giá trị {value} quá lớn; chỉ tiêu tối đa là {limit}."),
        400,
    )
    NOT_ALLOCATED = (
        "campaigns.allocation.not_allocated",
        _("Chỉ tiêu này chưa được phân bổ cho đơn vị cấp dưới."),
        409,
    )
    ALLOCATION_UNITS = (
        "campaigns.allocation.units_changed",
        _("Danh sách đơn vị được phân bổ đã thay đổi; hãy tải lại trang và nhập lại."),
        409,
    )
    ALLOCATION_TOTAL = (
        "campaigns.allocation.total",
        _("Các phần phân bổ cộng lại {total}, khác chỉ tiêu {value}; hãy sửa để tổng bằng {value}."),
        400,
    )
    SHARE_ABOVE_BASELINE = (
        "campaigns.allocation.share_above_baseline",
        _("Phần của {unit} ({value}) lớn hơn tổng số của đơn vị này ({baseline})."),
        400,
    )
    TASK_DEADLINE_OR_REGULAR = (
        "campaigns.task.deadline_or_regular",
        _("Hãy nhập thời hạn, hoặc đánh dấu nhiệm vụ là thường xuyên (không cả hai)."),
        400,
    )
    TASK_STALE = (
        "campaigns.task.stale",
        _(
            "Nhiệm vụ đã có cập nhật mới hơn trang bạn đang xem (có thể biểu mẫu đã được gửi rồi); "
            "hãy xem lại lịch sử trước khi cập nhật tiếp."
        ),
        409,
    )
    EVIDENCE_NOT_FOUND = ("campaigns.task.evidence_not_found", _("Không có tệp minh chứng này."), 404)


class LineError(DomainError):
    """One refusal in a plan file, named by its line (1-based): "dòng 12: ..." / "line 12: ..."."""

    def __init__(self, error: PlanError, /, *, line: int, **params: Any) -> None:
        self.line = line
        super().__init__(error, field=f"line {line}", **params)

    def message(self, language: str | None = None) -> str:
        inner = super().message(language)
        if language is None:
            return f"{_('dòng')} {self.line}: {inner}"
        with translation.override(language):
            return f"{_('dòng')} {self.line}: {inner}"

    def bilingual(self) -> str:
        # "line N" is spelled out whatever the catalogues hold: scripts and tests look for it.
        vi, en = super().message("vi"), super().message("en")
        words = vi if vi == en else f"{vi} / {en}"
        return f"dòng {self.line} / line {self.line}: {words}"


class PlanFileErrors(DomainError):  # noqa: N818  (a DomainError of several lines; the name says so)
    """Every refusal found in a plan file at once, in line order; nothing was written."""

    def __init__(self, errors: Sequence[LineError]) -> None:
        self.errors = tuple(sorted(errors, key=lambda e: e.line))
        super().__init__(PlanError.FILE_INVALID, count=len(self.errors))

    def each(self) -> tuple[DomainError, ...]:
        return self.errors

    def lines(self, language: str | None = None) -> list[str]:
        return [e.message(language) for e in self.errors]

    def bilingual(self) -> str:
        return "; ".join(e.bilingual() for e in self.errors)
