"""Police officers' roles and the permissions over personal accounts (decision 0024)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.access import KernelPermission, Permission, Role, grant, permissions, roles


@roles(staff=True)
class PeopleRole(Role):
    INTAKE_OFFICER = "intake_officer", _("Cán bộ tiếp nhận")
    REVIEWING_OFFICER = "reviewing_officer", _("Cán bộ thẩm định")
    # Answers people's requests about their personal data (Law 91/2025); held nationwide only.
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Cán bộ bảo vệ dữ liệu cá nhân")


@permissions("people")
class PeoplePermission(Permission):
    VERIFY_PERSON = "people.verify_person"  # level-1 review, level-2 in person (any residence: Decree 69 Art. 10)
    HANDLE_DATA_REQUEST = "people.handle_data_request"  # acknowledge, extend, answer (nationwide only)
    LOCK_PERSON = "people.lock_person"  # lock or unlock a personal account on an authority's request


grant(PeopleRole.INTAKE_OFFICER, KernelPermission.VIEW_BACK_OFFICE, PeoplePermission.VERIFY_PERSON)
grant(
    PeopleRole.REVIEWING_OFFICER,
    KernelPermission.VIEW_BACK_OFFICE,
    PeoplePermission.VERIFY_PERSON,
    PeoplePermission.LOCK_PERSON,
)
grant(PeopleRole.DATA_PROTECTION_OFFICER, KernelPermission.VIEW_BACK_OFFICE, PeoplePermission.HANDLE_DATA_REQUEST)
