"""`dinhdanh staff list|appoint|remove`: staff roles from the command line (issue 11.8).

The operator of the machine acts here (``actor=None``), so the very first system administrator can be
appointed on a fresh database: with ``--name`` and ``--phone``, a person who has no account yet gets one
(level 2: the operator vouches, as an officer does at the desk), without a password; they set it with
"forgot password", by a code texted to that phone. The rules are the services' (``core.services``), the same as on the
administrators' page. The personal identification number is read from ``--personal-id`` or, with
``--personal-id -``, from standard input, so that it need not stay in the shell's history.
"""

from __future__ import annotations

import sys
from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from dinhdanh.core import selectors as kernel
from dinhdanh.core.access import declared_roles, role_label, role_named, staff_roles
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import RoleAssignment
from dinhdanh.core.phones import parse_vn_phone
from dinhdanh.geo import selectors as geo
from dinhdanh.geo.models import AdministrativeUnit, Level
from dinhdanh.people.errors import PeopleError
from dinhdanh.people.models import AccountLevel, User
from dinhdanh.people.selectors import staff_candidate
from dinhdanh.people.services import user_create
from dinhdanh.people.services.operators import staff_appoint, staff_remove


def _unit(code: str) -> AdministrativeUnit | None:
    if code in ("", "*"):
        return None  # nationwide
    # A province has a 2-digit code, a commune 5 (the current scheme, since 01/07/2025).
    return geo.unit_by_code(code, level=Level.PROVINCE if len(code.strip()) <= 2 else Level.COMMUNE)


def _until(text: str) -> datetime | None:
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()  # noqa: DTZ007  (a date, made aware below)
    except ValueError as exc:
        raise DomainError(CoreError.INVALID_INPUT, field="until") from exc
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class Command(BaseCommand):
    help = "Giao, thu hồi và liệt kê vai trò cán bộ. / Appoint, remove and list staff roles."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="vai trò đang có hiệu lực / roles in force")
        listing.add_argument("--role", default="")
        listing.add_argument("--unit", default="", help="mã đơn vị (tỉnh, xã) / unit code")
        appoint = sub.add_parser("appoint", help="giao vai trò / appoint")
        appoint.add_argument("--personal-id", required=True, help="số định danh cá nhân, hoặc - để đọc từ stdin")
        appoint.add_argument("--role", required=True, choices=sorted(staff_roles()))
        appoint.add_argument("--unit", default="*", help="mã đơn vị; * là toàn quốc / unit code, * nationwide")
        appoint.add_argument("--source", default="", help="nguồn dữ liệu của cán bộ phối hợp / partner source")
        appoint.add_argument("--until", default="", help="YYYY-MM-DD")
        appoint.add_argument(
            "--name", default="", help="họ và tên, để tạo tài khoản nếu chưa có / to create the account"
        )
        appoint.add_argument(
            "--phone", default="", help="số điện thoại của tài khoản mới / the new account's phone"
        )
        remove = sub.add_parser("remove", help="thu hồi vai trò / remove")
        remove.add_argument("--id", type=int, required=True, help="số phân công (xem list) / assignment id")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self._list(options["role"], options["unit"])
        elif action == "appoint":
            number = sys.stdin.readline().strip() if options["personal_id"] == "-" else options["personal_id"]
            chosen, unit, until = role_named(options["role"]), _unit(options["unit"]), _until(options["until"])
            # One transaction: an appointment refused after a new account was made leaves no account.
            with transaction.atomic():
                assignment = staff_appoint(
                    actor=None,
                    user=self._person(number, options["name"], options["phone"]),
                    role=chosen,
                    unit=unit,
                    partner_source=options["source"],
                    valid_until=until,
                )
            self.stdout.write(f"OK: #{assignment.pk} {assignment.user.full_name} — {role_label(assignment.role)}")
        else:
            existing = RoleAssignment.objects.filter(pk=options["id"]).first()
            if existing is None:
                raise DomainError(CoreError.NOT_FOUND, field="id")
            staff_remove(actor=None, assignment=existing)
            self.stdout.write(f"OK: #{existing.pk} đã thu hồi / removed")

    def _person(self, number: str, name: str, phone: str) -> User:
        if not name:
            return staff_candidate(actor=None, personal_id=number)
        try:
            return staff_candidate(actor=None, personal_id=number)
        except DomainError as exc:
            if exc.error is not PeopleError.PERSON_NOT_FOUND:
                raise
        mobile = parse_vn_phone(phone, mobile_only=True)
        if mobile is None:  # the password is set by a code texted to it: a mobile number is required
            raise DomainError(CoreError.INVALID_INPUT, field="phone")
        person = user_create(
            actor=None, personal_id=number, full_name=name, password=None, level=AccountLevel.LEVEL_2, phone=mobile
        )
        self.stdout.write(
            f"Đã tạo tài khoản {person.full_name}; đặt mật khẩu bằng “Quên mật khẩu”. "
            f"/ Account created; set the password with “forgot password”."
        )
        return person

    def _list(self, role_name: str, unit_code: str) -> None:
        if role_name and role_name not in {str(r) for r in declared_roles()}:
            raise DomainError(CoreError.INVALID_INPUT, field="role")
        unit = _unit(unit_code) if unit_code else None
        rows = kernel.staff_assignments(role=role_name, unit_path=unit.path if unit else "")
        for a in rows:
            where = a.unit.name if a.unit else "toàn quốc / nationwide"
            source = f" [{a.partner_source}]" if a.partner_source else ""
            until = f" → {a.valid_until:%Y-%m-%d}" if a.valid_until else ""
            self.stdout.write(f"#{a.pk}\t{a.user.full_name}\t{role_label(a.role)}{source}\t{where}{until}")
