"""Push fan-out of Security Event notices to a slow receiver on loopback (issue 13.3).

    .venv/bin/python bench/trust_push.py [notices] [delay_ms] [workers]
        # defaults: 10,000 notices, a receiver that waits 50 ms before each 202, 16 pushes at a time
    DATABASE_URL=postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_d1 .venv/bin/python bench/trust_push.py

Through the real code: ``sets.make`` signs each SET (ES256), ``delivery.deliver_due`` claims batches of
500 in one transaction, pushes them over HTTP on ``workers`` threads (a new connection each, as in
production) and records each outcome. The receiver is a threading ``http.server`` on 127.0.0.1 that
sleeps ``delay_ms`` per request. Prints: signing rate, fan-out wall time and notices per second, the
bound a perfect pool would reach (workers / delay), and that every notice arrived exactly once.

A run on SQLite (the development machine, 2025; defaults): signing and storing 10,000 SETs 3.5 s
(≈ 2,800/s); fan-out 36.8 s, 272 notices/s against a bound of 320/s (85 %), 10,000 delivered, each
arrived once, none retried. The gap is per-push connection set-up on loopback and the claim/record
transactions between batches of 500; more ``workers`` scale it while the receiver keeps up.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

NOTICES = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
DELAY = (int(sys.argv[2]) if len(sys.argv) > 2 else 50) / 1000
WORKERS = int(sys.argv[3]) if len(sys.argv) > 3 else 16


def receiver(arrived: list[str]) -> ThreadingHTTPServer:
    lock = threading.Lock()

    class Slow(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(DELAY)
            with lock:
                arrived.append(body.decode())
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

    class Server(ThreadingHTTPServer):
        request_queue_size = 256  # listen()'s backlog, read in __init__: the default 5 resets connections
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ["DINHDANH_DATA_DIR"] = tempfile.mkdtemp(prefix="dinhdanh-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from dinhdanh.federation.clients import client_register
    from dinhdanh.trust import sets
    from dinhdanh.trust.delivery import deliver_due
    from dinhdanh.trust.models import Notice, NoticeState
    from dinhdanh.trust.subscriptions import receiver_set

    call_command("migrate", verbosity=0)
    arrived: list[str] = []
    server = receiver(arrived)
    client, _secret = client_register(actor=None, name="Bench RP", redirect_uris=["https://rp.example/cb"])
    url = f"http://127.0.0.1:{server.server_address[1]}/events"
    receiver_set(actor=None, client=client, method="push", endpoint_url=url, authorization="Bearer bench")
    base = int(time.time() * 1000)

    now = timezone.now()
    started = time.perf_counter()
    rows = []
    for n in range(NOTICES):
        jti, token = sets.make(
            client=client, event_type=sets.ACCOUNT_DISABLED, subject=sets.organization_subject(f"{n:011d}"),
            detail={}, occurred=now, now=now,
        )  # fmt: skip
        rows.append(
            Notice(jti=jti, client=client, domain_event_id=base + n, event_type=sets.ACCOUNT_DISABLED,
                   token=token, next_attempt_at=now)
        )  # fmt: skip
    Notice.objects.bulk_create(rows, batch_size=1000)
    signing = time.perf_counter() - started

    started = time.perf_counter()
    runs, retried = 0, 0
    while True:
        counts = deliver_due(workers=WORKERS)
        runs, retried = runs + 1, retried + counts["retry"]
        if not counts["due"]:
            break
    fan_out = time.perf_counter() - started
    server.shutdown()

    delivered = Notice.objects.filter(client=client, state=NoticeState.DELIVERED).count()
    errors = sorted(
        set(Notice.objects.filter(client=client).exclude(last_error="").values_list("last_error", flat=True))
    )
    print(f"notices {NOTICES}, receiver delay {DELAY * 1000:.0f} ms, workers {WORKERS}")
    print(f"sign + store     {signing:8.2f} s  {NOTICES / signing:10.0f} SETs/s")
    print(f"push fan-out     {fan_out:8.2f} s  {NOTICES / fan_out:10.0f} notices/s  ({runs - 1} runs of <= 500)")
    print(f"ideal pool bound            {WORKERS / DELAY if DELAY else float('inf'):10.0f} notices/s")
    print(
        f"delivered {delivered}, arrived {len(arrived)}, distinct {len(set(arrived))}, waiting to retry {retried}"
    )
    if errors:
        print(f"errors seen: {errors}")
    print(f"command: .venv/bin/python bench/trust_push.py {NOTICES} {int(DELAY * 1000)} {WORKERS}")


if __name__ == "__main__":
    main()
