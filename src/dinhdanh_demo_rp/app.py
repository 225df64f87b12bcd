"""The demo relying party as a WSGI application (standard library only) and its small server.

Sessions live in this process's memory behind a random cookie (HttpOnly, SameSite=Lax): what the
callback must match (state, nonce, PKCE verifier, DPoP key) never leaves the server.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from dinhdanh_demo_rp import pages
from dinhdanh_demo_rp.client import FlowError, Pending, RelyingParty, SignedIn

__all__ = ["DemoApp", "serve"]

log = logging.getLogger("dinhdanh_demo_rp")

COOKIE = "demo_rp_session"
PENDING_SECONDS = 600  # a sign-in not finished within ten minutes is forgotten
MAX_PENDING = 5  # a few tabs may sign in at once; older attempts give way
MAX_SESSIONS = 10_000

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


@dataclass
class Session:
    pending: dict[str, Pending] = field(default_factory=dict)
    signed: SignedIn | None = None
    logout_state: str = ""
    seen: float = field(default_factory=time.time)


@dataclass
class Answer:
    status: str
    body: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)


def _redirect(location: str) -> Answer:
    return Answer("303 See Other", headers=[("Location", location)])


class DemoApp:
    def __init__(self, rp: RelyingParty) -> None:
        self.rp = rp
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def _session(self, environ: dict[str, Any]) -> tuple[str, Session]:
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        sid = cookie[COOKIE].value if COOKIE in cookie else ""
        with self._lock:
            if sid not in self._sessions:
                if len(self._sessions) >= MAX_SESSIONS:  # bounded memory: the stalest go first
                    for old in sorted(self._sessions, key=lambda s: self._sessions[s].seen)[: MAX_SESSIONS // 10]:
                        del self._sessions[old]
                sid = secrets.token_urlsafe(32)
                self._sessions[sid] = Session()
            session = self._sessions[sid]
            session.seen = time.time()
        return sid, session

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        sid, session = self._session(environ)
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        lang = query.get("lang") or (cookie["lang"].value if "lang" in cookie else "vi")
        lang = "en" if lang == "en" else "vi"
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
        try:
            answer = self._route(method, path, query, session, lang)
        except FlowError as exc:
            log.warning("sign-in stopped: %s", exc.code)  # the code only: never a token or a key
            answer = Answer("400 Bad Request", pages.error_page(lang, exc.code))
        headers = [
            *answer.headers,
            ("Set-Cookie", f"{COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax"),
            ("Set-Cookie", f"lang={lang}; Path=/; SameSite=Lax"),
            ("Cache-Control", "no-store"),
            ("Referrer-Policy", "no-referrer"),  # the callback's code stays out of Referer headers
            ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action *"),
        ]
        body = answer.body.encode("utf-8")
        if answer.body:
            headers.append(("Content-Type", "text/html; charset=utf-8"))
        start_response(answer.status, headers)
        return [body]

    def _route(self, method: str, path: str, query: dict[str, str], session: Session, lang: str) -> Answer:
        if path == "/" and method == "GET":
            return Answer("200 OK", pages.home_page(lang, session.signed))
        if path == "/login" and method == "POST":
            return self._login(session, switching=session.signed is not None)
        if path == "/callback" and method == "GET":
            return self._callback(session, query)
        if path == "/logout" and method == "POST":
            return self._logout(session)
        if path == "/signed-out" and method == "GET":
            if not query.get("state") or not secrets.compare_digest(query["state"], session.logout_state):
                raise FlowError("state")
            session.logout_state = ""
            return Answer("200 OK", pages.signed_out_page(lang))
        return Answer("404 Not Found", pages.error_page(lang, "error"))

    def _login(self, session: Session, *, switching: bool) -> Answer:
        if not self.rp.client_id:
            raise FlowError("unconfigured")
        # Switching: the provider's session remains, so no password; select_account shows the choice
        # of organization again, and login_hint keeps the same person (OIDC Core §3.1.2.1).
        hint = str(session.signed.claims.get("sub", "")) if switching and session.signed else ""
        url, pending = self.rp.begin(prompt="select_account" if switching else "", login_hint=hint)
        now = time.time()
        live = {s: p for s, p in session.pending.items() if now - p.started < PENDING_SECONDS}
        live[pending.state] = pending
        session.pending = dict(list(live.items())[-MAX_PENDING:])
        return _redirect(url)

    def _callback(self, session: Session, query: dict[str, str]) -> Answer:
        pending = session.pending.pop(query.get("state", ""), None)
        if pending is None or time.time() - pending.started >= PENDING_SECONDS:
            raise FlowError("state")
        session.signed = self.rp.complete(pending, query)
        return _redirect("/")

    def _logout(self, session: Session) -> Answer:
        signed, session.signed = session.signed, None
        if signed is None:
            return _redirect("/")
        session.logout_state = secrets.token_urlsafe(24)
        return _redirect(self.rp.logout_url(signed, session.logout_state))


class _Quiet(WSGIRequestHandler):
    """Access lines without the query string: a callback's carries the authorization code."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.info("%s %s %s", self.command, self.path.split("?", 1)[0], code)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve(app: DemoApp, host: str, port: int) -> WSGIServer:
    """A threaded server (the browser and the provider's redirects overlap); the caller runs it."""
    return make_server(host, port, app, server_class=_ThreadingServer, handler_class=_Quiet)
