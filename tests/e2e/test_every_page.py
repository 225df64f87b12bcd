"""Every page of the demo on a 360 px phone, in Vietnamese and in English (issue 15.6, 15.7, 15.8):
signed in as each demo role (and as a visitor), follow the links from the home page and the menu and, on
each page reached, assert that nothing scrolls sideways, that axe-core finds no WCAG 2.1 A/AA violation, and
that ids are unique and every id a label or an ARIA attribute points to exists (axe no longer checks either).

One test per language walks every role; each kind of page (ids folded) is checked once, by the first role
that reaches it. A failure lists every failing page (role, URL, rule, elements), so it names the page.
A page known to fail would be listed in KNOWN with the reason; the list is empty and should stay so.
Run: `.venv/bin/pytest -q -p no:randomly tests/e2e/test_every_page.py` (needs `make node-deps` for axe-core).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WIDTH, HEIGHT = 360, 740
MAX_PAGES = 40  # new kinds of page per role and language: bounded in time
MAX_SECONDS = 150
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Not walked: leaving the session, files rather than pages, machine interfaces, Django's own admin.
SKIP = re.compile(
    r"^/(signout|logout|api|static|media|admin|oauth|openid|\.well-known|o/|federation/(authorize|token|jwks))"
    r"|/(export|download)|\.(csv|xlsx|json|txt|pdf|png|svg|zip)$"
)
# Who walks: a visitor, then every demo account (dinhdanh.demo.services.PEOPLE), as "role/scope".
ROLES = ["visitor", "system_admin/nation", "campaign_manager/province", "reviewing_officer/province",
         "reviewing_officer/commune", "intake_officer/commune", "partner_clerk/province", "citizen/commune"]  # fmt: skip

# Page pattern (ids folded to <n>) -> why it is known to fail; owned by another helper or the lead.
KNOWN: dict[str, str] = {}


def pattern(path: str) -> str:
    """One page per kind: /applications/queue/12/ and /applications/queue/13/ are the same page."""
    return re.sub(r"/[0-9a-f]{8,}(?=/|$)|/\d+(?=/|$)", "/<n>", path)


def _sign_in(context: Any, base: str, role: str) -> None:
    from django.conf import settings
    from django.test import Client

    from dinhdanh.demo.services import PEOPLE
    from dinhdanh.people.logins import login_digest
    from dinhdanh.people.models import TotpDevice, User
    from tests.conftest import signed_in
    from tests.people.support import enrol_totp

    person = next(p for p in PEOPLE if f"{p.role.value}/{p.scope}" == role)
    user = User.objects.get(login_digest=login_digest(person.login))
    if not role.startswith("citizen") and not TotpDevice.objects.filter(user=user).exists():
        enrol_totp(user)
    client = signed_in(Client(), user)
    host = urlsplit(base).hostname
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            }
        ]
    )


def _links(page: Any, base: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))"
    )
    found = []
    for href in hrefs:
        url = urljoin(page.url, href.split("#")[0])
        parts = urlsplit(url)
        if url.startswith(base) and parts.path and not SKIP.search(parts.path):
            found.append(url)
    return found


# A duplicate id leaves a label pointing at the wrong control; a reference to a missing id describes nothing.
_ID_PROBLEMS = """() => {
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const dupes = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))].map(id => 'duplicate id ' + id);
  const known = new Set(ids);
  const missing = [];
  for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'aria-errormessage']) {
    for (const el of document.querySelectorAll('[' + attr + ']')) {
      for (const ref of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!known.has(ref)) missing.push(attr + ' -> ' + ref);
      }
    }
  }
  for (const label of document.querySelectorAll('label[for]')) {
    if (!known.has(label.htmlFor)) missing.push('label for -> ' + label.htmlFor);
  }
  return dupes.concat(missing).slice(0, 5);
}"""


def _id_problems(page: Any) -> list[str]:
    found: list[str] = page.evaluate(_ID_PROBLEMS)
    return found


def _check(page: Any, axe_source: str) -> list[str]:
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        wide = page.evaluate(
            """w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1)
                 .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > w + 1))
                 .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""",
            WIDTH,
        )
        problems.append(f"scrollWidth {width} > {WIDTH}: {wide}")
    problems += _id_problems(page)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    assert result["passes"], "axe-core ran no rule"
    for v in result["violations"]:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
        problems.append(f"axe {v['id']} ({v['impact']}): {targets}")
    return problems


def walk(browser: Any, base: str, role: str, lang: str, seen: set[str]) -> dict[str, list[str]]:
    """Failures by URL, for one role in one language; pages already checked (seen) are not checked again."""
    axe_source = AXE.read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, locale=f"{lang}-VN")
    context.add_cookies([{"name": "dinhdanh_lang", "value": lang, "domain": urlsplit(base).hostname, "path": "/"}])
    if role != "visitor":
        _sign_in(context, base, role)
    page = context.new_page()
    queue, visited, failures, started = [base + "/"], set(), {}, time.monotonic()
    checked = 0
    while queue and checked < MAX_PAGES and time.monotonic() - started < MAX_SECONDS:
        url = queue.pop(0)
        parts = urlsplit(url)
        key = pattern(parts.path) + ("?" if parts.query else "")
        if key in visited:
            continue
        visited.add(key)
        response = page.goto(url)
        if urlsplit(page.url).path.rstrip("/") in {"/signin", "/me/security"} and url != page.url:
            continue  # not open to this role: the walk does not count redirections to sign-in
        assert page.locator("html").get_attribute("lang") == lang, url
        if key not in seen:  # another role has checked this kind of page already
            seen.add(key)
            checked += 1
            print(f"[{lang} {role}] {url}")  # -s shows the walk
            problems = [] if response is None or response.status < 500 else [f"HTTP {response.status}"]
            problems += _check(page, axe_source)
            if problems:
                failures[parts.path + ("?" + parts.query if parts.query else "")] = problems
        if parts.path.count("/") <= 5:  # follow links from pages up to four segments deep
            queue += [u for u in _links(page, base) if u not in queue]
    context.close()
    return failures


@pytest.fixture
def demo(live_server: Any, tmp_path: Path, settings: Any) -> str:
    from dinhdanh.demo.services import demo_load
    from dinhdanh.geo.services import units_load

    settings.NOTIFY_OUTBOX_DIR = tmp_path / "outbox"
    units_load(actor=None)  # transactional tests start from an empty database
    demo_load()
    return str(live_server.url)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_fits_a_phone_and_passes_axe(browser: Any, demo: str, lang: str) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed: `make node-deps`")
    seen: set[str] = set()
    failures: dict[str, list[str]] = {}
    for role in ROLES:
        failures |= {f"[{lang} {role}] {url}": p for url, p in walk(browser, demo, role, lang, seen).items()}
    assert len(seen) >= 20, f"only {len(seen)} pages reached: {sorted(seen)}"
    unknown = {k: p for k, p in failures.items() if pattern(k.split()[-1].split("?")[0]) not in KNOWN}
    assert not unknown, "\n".join(f"{k}: {'; '.join(p)}" for k, p in sorted(unknown.items()))
