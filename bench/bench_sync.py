"""Sync benchmark (SPEC §9): revisions per second over loopback TLS, and the cost of a sync
with nothing new — against a baseline measured in the same run.

1. Push: one device holding N revisions (default 10,000, made like ``intake demo``) runs one
   sync against a real ``intake-central serve`` process with TLS (trustme CA). Budget: at least
   1,000 revisions per second.
   Baseline: the very same request bodies POSTed over loopback TLS to a server that only reads
   them and answers ``{}`` — what moving the bytes costs before any sync work.
2. Pull: a second device of the team downloads the N revisions.
3. Nothing new: a further sync of the first device. Budget: one request.

Run:  .venv/bin/python bench/bench_sync.py [--revisions 10000] [--database URL]
Prints a table and writes bench/results/sync.json.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import ssl
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness lives in tests/

from tests.conftest import FileKeyring
from tests.sync.harness import ServerProcess, make_tls, new_device, service_for

from intake.demo import demo_profiles
from intake.store.device import DeviceKeyring
from intake.sync.client import tls_context, to_doc


class _Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def baseline_seconds(bodies: list[bytes], tls) -> float:
    """POST the same gzip bodies over loopback TLS to a server that just reads them."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tls.cert_file, tls.key_file)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"https://127.0.0.1:{httpd.server_address[1]}/"
    headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    try:
        with httpx.Client(verify=tls_context(tls.ca_file), trust_env=False) as client:
            started = time.perf_counter()
            for body in bodies:
                client.post(url, content=body, headers=headers).raise_for_status()
            return time.perf_counter() - started
    finally:
        httpd.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=10_000)
    parser.add_argument("--database", help="server database URL (default: SQLite in a temp dir)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="intake-bench-sync-"))
    tls = make_tls(work / "tls")
    database = args.database or f"sqlite:///{work / 'central.db'}"
    server = ServerProcess(database, tls, work / "logs")
    server.start()
    central = service_for(database)
    try:
        devices = []
        for name in ("sender", "receiver"):
            keyring = DeviceKeyring(FileKeyring(work / f"{name}-keyring.cfg"))
            code, _ = central.new_enrol_code("bench")
            devices.append(new_device(work / name, keyring, server.url, tls.ca_file, code=code))
        sender, receiver = devices

        profiles = demo_profiles(args.revisions, 7)
        with sender.session.db.atomic():
            for _ in range(args.revisions):
                sender.session.profiles.save(next(profiles), form_id="erstprofil", form_version="1")
        # The same request bodies the sync will send, for the baseline.
        revisions = sender.state.next_batch(args.revisions)
        sender.session.db.execute("UPDATE outbox SET in_flight = 0")
        bodies = []
        for start in range(0, len(revisions), 500):
            docs = [to_doc(r) for r in revisions[start : start + 500]]
            raw = json.dumps({"revisions": docs}, ensure_ascii=False, separators=(",", ":"))
            bodies.append(gzip.compress(raw.encode(), compresslevel=3))

        sender.syncer._new_token()  # sign in first, so the timed run measures sync work only
        started = time.perf_counter()
        pushed = sender.sync()
        push_seconds = time.perf_counter() - started
        assert pushed.pushed == args.revisions, pushed

        started = time.perf_counter()
        pulled = receiver.sync()
        pull_seconds = time.perf_counter() - started
        assert pulled.pulled == args.revisions, pulled

        idle = sender.sync()
        base = baseline_seconds(bodies, tls)
    finally:
        for device in locals().get("devices", []):
            device.close()
        server.stop()

    push_rate = args.revisions / push_seconds
    result = {
        "revisions": args.revisions,
        "database": database.split(":", 1)[0],
        "push_seconds": round(push_seconds, 3),
        "push_revisions_per_second": round(push_rate),
        "push_requests": pushed.requests,
        "push_bytes_sent": pushed.bytes_sent,
        "baseline_same_bytes_seconds": round(base, 3),
        "baseline_revisions_per_second": round(args.revisions / base),
        "push_vs_baseline": round(push_seconds / base, 2),
        "pull_seconds": round(pull_seconds, 3),
        "pull_revisions_per_second": round(args.revisions / pull_seconds),
        "pull_bytes_received": pulled.bytes_received,
        "idle_sync_requests": idle.requests,
        "idle_sync_bytes_sent": idle.bytes_sent,
        "idle_sync_bytes_received": idle.bytes_received,
        "budget_push_ok": push_rate >= 1000,
        "budget_idle_ok": idle.requests == 1,
    }
    print(f"{'measure':36} {'value':>14}")
    for key, value in result.items():
        print(f"{key:36} {value!s:>14}")
    out = Path(__file__).parent / "results" / "sync.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["budget_push_ok"] and result["budget_idle_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
