from django.utils.translation import gettext_lazy as _

from dinhdanh.core.errors import ErrorCode


class PeopleError(ErrorCode):
    ALREADY_REGISTERED = ("people.already_registered", _("Số định danh này đã có tài khoản."), 409)
