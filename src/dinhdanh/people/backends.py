"""Password sign-in by personal identification number. Unknown users cost a hash too, so timing
does not reveal which numbers have accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest

from dinhdanh.core.codes import parse_personal_id
from dinhdanh.core.errors import DomainError
from dinhdanh.people.identifiers import remember_number
from dinhdanh.people.logins import account_by_number, login_digest
from dinhdanh.people.models import User


class LoginBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        try:
            digest = login_digest(username)
        except DomainError:
            make_password(password)
            return None
        user = account_by_number(username)
        if user is None:
            make_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            remember_number(user, parse_personal_id(username, foreigner=True).value, current_digest=digest)
            return user
        return None
