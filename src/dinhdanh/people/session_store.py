"""Django's database sessions with fewer statements (``SESSION_ENGINE``; decision 0051).

The same table, the same signed and encoded data, the same expiry and the same protection against
session fixation; only the statements change:

- **a new key is written once.** Django picks a key, asks whether it exists, then inserts; the insert
  alone says whether the key was free (a conflict is ignored and another key is tried), so the
  question goes. Its ``cycle_key`` (at every sign-in) inserted an empty row under the new key at once,
  deleted the old row, and updated the new row with the data at the end of the request: here the old
  row is deleted at once, as before, and the new key is chosen and written with the data when the
  session is saved, one insert. A key known before the sign-in is dead from ``cycle_key`` on, and the
  signed-in session's key exists nowhere before that insert;
- **a save with nothing changed since this store wrote the row is skipped**: the sign-in writes the
  session in its own transaction (``authflow.establish``), and the middleware's save at the end of the
  request then has nothing new to write;
- the reads and writes are built once (``core.rows``) instead of compiled by the ORM each time: every
  request with a session cookie loads its session.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.models import Session
from django.db import router
from django.utils import timezone

from dinhdanh.core.rows import SelectOne, Statement, Update
from dinhdanh.people.rows import KeyedInsert

__all__ = ["SessionStore"]

_LOAD = SelectOne(Session, "{session_key} = %s AND {expire_date} > %s", ["session_key", "expire_date"])
_CREATE = KeyedInsert(Session, ignore_conflicts=True)
_UPDATE = Update(Session, ["session_data", "expire_date"], "{session_key} = %s", ["session_key"])


def _delete_sql(connection: Any) -> str:
    quote = connection.ops.quote_name
    return f"DELETE FROM {quote(Session._meta.db_table)} WHERE {quote('session_key')} = %s"  # noqa: S608


_DELETE = Statement(_delete_sql)


_KEY_LENGTH = 32
_KEY_BITS = 165  # 36 ** 32 > 2 ** 165: every such number has its 32 base-36 digits


def new_key() -> str:
    """A session key as Django's (32 characters of ``VALID_KEY_CHARS``, 165 bits from the system's
    CSPRNG), from one draw instead of 32 (``get_random_string`` reads the generator once a character)."""
    value, digits = secrets.randbits(_KEY_BITS), []
    for _ in range(_KEY_LENGTH):
        value, digit = divmod(value, 36)
        digits.append(VALID_KEY_CHARS[digit])
    return "".join(digits)


class SessionStore(DatabaseStore):
    def __init__(self, session_key: str | None = None) -> None:
        self._dirty = False  # changed since this store last wrote or read its row
        self._stored_key: str | None = None  # the key of the row this store last wrote or read
        super().__init__(session_key)

    # Django marks a session ``modified`` wherever its data changes; that also marks it dirty here. The
    # middleware reads ``modified`` to set the cookie, so the flag itself keeps Django's meaning.
    @property
    def modified(self) -> bool:
        return self._modified

    @modified.setter
    def modified(self, value: bool) -> None:
        self._modified = value
        self._dirty = self._dirty or value

    def _using(self) -> str:
        return router.db_for_write(Session)

    def _get_session_from_db(self) -> Session | None:
        found = _LOAD.first(self.session_key, timezone.now(), using=self._using())
        if found is None:
            self._session_key = None
        return found

    def load(self) -> dict[str, Any]:
        row = self._get_session_from_db()
        if row is None:
            return {}
        self._stored_key = row.session_key
        data: dict[str, Any] = self.decode(row.session_data)
        return data

    def _get_new_session_key(self) -> str:
        # No "does it exist?" first: the insert of ``save(must_create=True)`` answers that (CreateError).
        return new_key()

    def create(self) -> None:
        while True:
            self._session_key = self._get_new_session_key()
            try:
                self.save(must_create=True)
            except CreateError:
                continue
            self._modified = True  # the cookie is to be set; the data is written, so not dirty
            return

    def cycle_key(self) -> None:
        """A new key for the same data: the old row goes now, the new one is written when saved."""
        data = self._get_session()  # type: ignore[attr-defined]  # SessionBase's own; not in the stubs
        key = self.session_key
        if key:
            self.delete(key)
        self._session_key = None
        self._session_cache = data
        self.modified = True

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()
            return
        if not must_create and not self._dirty and self._stored_key == self.session_key:
            return  # written (or read) just so: nothing to change
        data = self._get_session(no_load=must_create)  # type: ignore[attr-defined]  # as above
        encoded, expires, using = self.encode(data), self.get_expiry_date(), self._using()
        if must_create:
            if not _CREATE.add(
                session_key=self.session_key, session_data=encoded, expire_date=expires, using=using
            ):
                raise CreateError
        elif _UPDATE.run([encoded, expires], [self.session_key], using=using) != 1:
            raise UpdateError  # the row is gone (signed out elsewhere, expired and cleared)
        self._stored_key, self._dirty = self.session_key, False

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        _DELETE.run([session_key], using=self._using())
        if self._stored_key == session_key:
            self._stored_key = None
