"""``python -m dinhdanh_demo_rp --issuer URL [--port 8001] [--data-dir DIR]``: run the demo relying party.

Its key is made in DIR on first start; its client id is what ``dinhdanh demo`` registered (DIR/client.json).
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from dinhdanh_demo_rp.app import DemoApp, serve
from dinhdanh_demo_rp.client import RelyingParty
from dinhdanh_demo_rp.keys import load_client_id, load_or_create_key

DEFAULT_PORT = 8001


def default_data_dir() -> Path:
    return Path(os.environ.get("DINHDANH_DATA_DIR", "var")) / "demo-rp"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dinhdanh_demo_rp", description="Cổng dịch vụ công (demo)")
    parser.add_argument("--issuer", default=os.environ.get("DINHDANH_ISSUER", "http://127.0.0.1:8000"))
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--client-id", default="")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="demo-rp: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines add nothing to ours
    rp = RelyingParty(
        issuer=args.issuer,
        client_id=args.client_id or load_client_id(args.data_dir),
        base_url=f"http://127.0.0.1:{args.port}",
        key=load_or_create_key(args.data_dir),
    )
    server = serve(DemoApp(rp), "127.0.0.1", args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        return 130
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
