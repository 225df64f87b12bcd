"""The `dinhdanh` command: manage.py with a few product commands (SPEC §8).

    dinhdanh demo [--port N] [--rp-port N] [--no-serve]
                                            migrate, load units and demo data, serve on 127.0.0.1 with a
                                            task worker and the demo relying party (port 8001) beside it
    dinhdanh serve [--bind H:P] [--server gunicorn|granian] [--threads N]
                                            serve (settings from DJANGO_SETTINGS_MODULE)
    dinhdanh worker                         run background tasks and the schedule (one or more per site)
    dinhdanh schedule list|run|set          the recurring jobs the worker runs
    dinhdanh audit verify                   check the audit chain (key and checkpoints)
    dinhdanh audit checkpoint               pin the verified head of the audit chain outside the database
    dinhdanh <any manage.py command>        e.g. `dinhdanh migrate`, `dinhdanh createsuperuser`

Bad input ends with one bilingual line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dinhdanh.core.audit import Verification

DEFAULT_SETTINGS = "dinhdanh.settings.dev"
EXIT_BAD_INPUT = 2


def _fail(message: str) -> int:
    print(f"dinhdanh: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    django.setup()


def _call(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _serve(bind: str, workers: int, server: str = "gunicorn", threads: int = 1) -> int:
    """gunicorn (the default: it honours a proxy in front, see docs/people.md) or granian (decision
    0034: the token, introspection and revocation endpoints at several times the rate; it takes the
    client address from the socket only, so put it where per-address limits do not matter — the
    OAuth endpoints, reached by relying parties' servers)."""
    if server == "granian":
        from granian.cli import entrypoint

        host, _sep, port = bind.rpartition(":")
        sys.argv = [
            "granian", "--interface", "wsgi", "--host", host or "127.0.0.1", "--port", port,
            "--workers", str(workers), "--blocking-threads", "1", "--access-log", "dinhdanh.wsgi:application",
        ]  # fmt: skip
        entrypoint()  # type: ignore[no-untyped-call]  # granian ships no annotations for it
        return 0
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "--bind",
        bind,
        "--workers",
        str(workers),
        # Threads accept connections beyond what the cores serve; DINHDANH_MAX_ACTIVE_REQUESTS sheds them.
        *(["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("DINHDANH_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "dinhdanh.wsgi:application",
    ]
    run()
    return 0


def _demo(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="dinhdanh demo")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--rp-port", type=int, default=8001, help="the demo relying party's port")
    parser.add_argument("--no-serve", action="store_true", help="load everything, then exit")
    args = parser.parse_args(argv)
    os.environ["DINHDANH_DEMO"] = "1"
    # The issuer is this server unless the operator said otherwise: the demo RP checks `iss` against it.
    os.environ.setdefault("DINHDANH_ISSUER", f"http://127.0.0.1:{args.port}")
    _setup()
    _call("migrate", "--verbosity", "0")
    _call("load_units")
    _call("demo_load")
    from django.conf import settings

    from dinhdanh.demo.manifest import demo_summary
    from dinhdanh.demo.organizations import MEMBER_LOGIN
    from dinhdanh.demo.relying_party import demo_rp_register, rp_data_dir

    demo_rp_register(port=args.rp_port)

    summary = demo_summary()
    url = f"http://127.0.0.1:{args.port}/"
    print(f"\n  dinhdanh: {url}")
    print(f"  Khóa truy cập (passkey) cần tên miền / passkeys need a host name: http://localhost:{args.port}/\n")
    if summary:
        print("  Tài khoản dùng thử / demo sign-ins (số định danh / personal ID, mật khẩu / password):")
        for s in summary["signins"]:
            print(f"    {s['role_label']:<34} {s['login']}  {s['password']}  ({s['unit_name']})")
        print(
            "  Cán bộ đăng ký ứng dụng xác thực (TOTP) hoặc khóa truy cập ở lần đăng nhập đầu.\n"
            "  Officers enrol an authenticator app (TOTP) or a passkey at their first sign-in.\n"
        )
    print(
        f"  Ứng dụng mẫu / demo relying party (Cổng dịch vụ công): http://127.0.0.1:{args.rp_port}/\n"
        f"  Đăng nhập bằng / sign in as: {MEMBER_LOGIN} → chọn tổ chức / choose an organization\n"
    )
    if args.no_serve:
        return 0
    worker = _start_worker()
    relying_party = _start_demo_rp(settings.FEDERATION_ISSUER, args.rp_port, rp_data_dir())
    try:
        return _serve(f"127.0.0.1:{args.port}", workers=2)
    finally:
        for child in (relying_party, worker):
            child.terminate()
            child.wait(timeout=30)


def _start_worker() -> subprocess.Popen[bytes]:
    """The task worker beside the demo's web server (decision 0017): notifications, imports, the schedule."""
    print("  Tiến trình xử lý việc nền / task worker: dinhdanh worker\n")
    return subprocess.Popen([sys.executable, "-m", "dinhdanh", "worker"])


def _start_demo_rp(issuer: str, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    """The demo relying party (issue 12.5): its own process, speaking only HTTP to this server."""
    command = [sys.executable, "-m", "dinhdanh_demo_rp", "--issuer", issuer, "--port", str(port)]
    return subprocess.Popen([*command, "--data-dir", str(data_dir)])  # noqa: S603 - our interpreter, our settings


def _broken(result: Verification) -> str:
    message = _broken_message(result)
    return f"{message} [{result.chain}]" if result.chain and "chuỗi" not in message else message


def _broken_message(result: Verification) -> str:
    if result.reason == "no_checkpoint":
        return (
            "HỎNG / BROKEN: chưa có điểm chốt nào ngoài cơ sở dữ liệu (no_checkpoint); hãy kiểm tra nhật ký rồi "
            "chạy `dinhdanh audit checkpoint` / no checkpoint outside the database (no_checkpoint); check the "
            "log, then run `dinhdanh audit checkpoint`"
        )
    if result.reason == "checkpoint_forged":
        return (
            "HỎNG / BROKEN: tệp điểm chốt có dòng hỏng hoặc chữ ký sai (checkpoint_forged) "
            "/ the checkpoint file has a malformed or wrongly signed line (checkpoint_forged)"
        )
    if result.reason == "checkpoint_unknown_key":
        return (
            "HỎNG / BROKEN: điểm chốt được ký bằng khóa khác với DINHDANH_AUDIT_CHECKPOINT_KEY của máy này "
            "(checkpoint_unknown_key) / checkpoints signed with a key other than this node's "
            "DINHDANH_AUDIT_CHECKPOINT_KEY (checkpoint_unknown_key)"
        )
    return (
        f"HỎNG / BROKEN: chuỗi {result.chain or '-'}, sự kiện số {result.broken_seq} ({result.reason}); "
        f"{result.checked} sự kiện trước đó nguyên vẹn / chain {result.chain or '-'}, "
        f"event #{result.broken_seq} ({result.reason}); "
        f"{result.checked} earlier events intact"
    )


def _audit(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="dinhdanh audit")
    parser.add_argument("action", choices=["verify", "checkpoint"])
    action = parser.parse_args(argv).action
    _setup()
    from dinhdanh.core import audit, audit_checkpoints

    if action == "checkpoint":
        try:
            result, written = audit.checkpoint()
        except OSError as exc:
            return _fail(f"Không ghi được điểm chốt ({exc}) / The checkpoint cannot be written ({exc})")
        for mark in written:
            print(
                f"OK: đã chốt chuỗi {mark.chain}, sự kiện số {mark.seq} / checkpoint of chain {mark.chain}, "
                f"event #{mark.seq} written ({audit_checkpoints.location()})"
            )
        if written:
            return 0
        if result.ok:
            print("OK: nhật ký trống, không có gì để chốt / the log is empty, nothing to checkpoint")
            return 0
        print(f"{_broken(result)}; không ghi điểm chốt / no checkpoint written", file=sys.stderr)
        return 1
    result = audit.verify()
    if result.ok:
        pinned = f"; {result.checkpoints} điểm chốt khớp / checkpoints agree" if result.checkpoints else ""
        chains = f" ({result.chains} chuỗi / chains)" if result.chains else ""
        print(f"OK: {result.checked} sự kiện nguyên vẹn / events intact{chains}{pinned}")
        return 0
    print(_broken(result), file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from django.db.utils import DatabaseError

    from dinhdanh.core.errors import DomainError
    from dinhdanh.settings.env import ConfigError

    try:
        if args and args[0] == "demo":
            return _demo(args[1:])
        if args and args[0] == "serve":
            parser = argparse.ArgumentParser(prog="dinhdanh serve")
            parser.add_argument("--bind", default=os.environ.get("DINHDANH_BIND", "127.0.0.1:8000"))
            parser.add_argument("--workers", type=int, default=int(os.environ.get("DINHDANH_WORKERS", "3")))
            parser.add_argument(
                "--server", choices=("gunicorn", "granian"), default=os.environ.get("DINHDANH_SERVER", "gunicorn")
            )
            parser.add_argument("--threads", type=int, default=int(os.environ.get("DINHDANH_THREADS", "1")))
            opts = parser.parse_args(args[1:])
            _setup()
            return _serve(opts.bind, opts.workers, opts.server, max(1, opts.threads))
        if args and args[0] == "audit":
            return _audit(args[1:])
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
        from django.core.management import execute_from_command_line

        if args and not args[0].startswith("-"):
            args[0] = args[0].replace("-", "_")  # the contract spells them import-registry, plan-load, ...
        execute_from_command_line(["dinhdanh", *args])
        return 0
    except DomainError as exc:
        return _fail(exc.bilingual())
    except ConfigError as exc:
        return _fail(str(exc))
    except DatabaseError as exc:
        # Not migrated yet, or DATABASE_URL points nowhere: say so in one line, not a traceback.
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        return _fail(
            f"Không dùng được cơ sở dữ liệu ({reason}); hãy kiểm tra DATABASE_URL và chạy `dinhdanh migrate`. "
            f"/ The database cannot be used ({reason}); check DATABASE_URL and run `dinhdanh migrate`."
        )
    except KeyboardInterrupt:
        return 130
