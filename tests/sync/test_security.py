"""The client's side of security over real TLS: only the configured CA is trusted (the
environment is ignored), revoked devices stop at once, expired tokens are renewed, plain HTTP
only to loopback, and a server answering garbage or vanishing loses nothing."""

from __future__ import annotations

import http.server
import socket
import ssl
import threading

import pytest
from sqlalchemy import func, select, update

from intake.central import db as tables
from intake.errors import IntakeError
from intake.sync.client import (
    BadServerResponse,
    CertificateRejected,
    DeviceRevoked,
    InsecureServer,
    ServerUnreachable,
    Transport,
    health,
)

FORM = {"form_id": "erstprofil", "form_version": "1"}


class _TlsServer:
    """A bare TLS listener presenting a certificate of another CA (handshake only)."""

    def __init__(self, tls):
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(tls.cert_file, tls.key_file)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            try:
                with self.context.wrap_socket(conn, server_side=True) as tls_conn:
                    tls_conn.recv(1024)
            except (OSError, ssl.SSLError):
                pass

    def close(self):
        self.sock.close()


@pytest.fixture
def foreign_server(foreign_tls):
    server = _TlsServer(foreign_tls)
    yield server
    server.close()


def test_a_certificate_from_another_ca_is_refused_even_with_ssl_cert_file(
    foreign_server, foreign_tls, tls, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", str(foreign_tls.ca_file))
    monkeypatch.setenv("SSL_CERT_DIR", str(foreign_tls.ca_file.parent))
    url = f"https://127.0.0.1:{foreign_server.port}"
    with Transport(url, ca_file=tls.ca_file) as transport, pytest.raises(CertificateRejected):
        health(transport)
    # Without a configured bundle the system store is used — still not the environment's.
    with Transport(url) as transport, pytest.raises(CertificateRejected):
        health(transport)


def test_the_right_ca_is_trusted(server, tls):
    with Transport(server.url, ca_file=tls.ca_file) as transport:
        assert health(transport).status == "ok"


def test_plain_http_is_only_allowed_to_loopback():
    with pytest.raises(InsecureServer):
        Transport("http://intake.example.org:8080")
    Transport("http://127.0.0.1:9").close()


def test_a_revoked_device_is_refused_at_once_and_uploads_nothing(make_device, central):
    device = make_device()
    device.sync()
    device.session.profiles.save({"family_name": "Muster"}, **FORM)
    central.revoke_device(device.session.device_id)
    with pytest.raises(DeviceRevoked) as refused:
        device.sync()
    assert "revoked" in refused.value.user_message()
    with central.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(tables.revisions).where(
            tables.revisions.c.received_from == device.session.device_id
        )).scalar_one()  # fmt: skip
    assert stored == 0
    assert device.state.status().waiting_profiles == 1, "nothing is lost locally"


def test_an_expired_token_is_refused_and_the_client_signs_in_again(make_device, central):
    device = make_device()
    device.sync()
    old = device.state.cached_token("anna")
    with central.engine.begin() as conn:
        conn.execute(update(tables.tokens).values(expires_at="2000-01-01T00:00:00.000Z"))
    summary = device.sync()
    assert summary.requests == 4, "refused, challenge, token, and the pull again"
    assert device.state.cached_token("anna") != old


def test_another_teams_device_sees_nothing(make_device, central):
    mine = make_device("mine")
    mine.session.profiles.save({"family_name": "Muster"}, **FORM)
    mine.sync()
    central.add_team("elsewhere")
    theirs = make_device("theirs", team_name="elsewhere")
    assert theirs.sync().pulled == 0
    assert theirs.session.profiles.list() == []


class _Garbage(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self._answer()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._answer()

    def _answer(self):
        body = b"<html>Captive portal: please log in</html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_server_answering_garbage_changes_nothing(make_device):
    device = make_device()
    device.session.profiles.save({"family_name": "Muster"}, **FORM)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Garbage)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        device.syncer._transport = Transport(f"http://127.0.0.1:{httpd.server_address[1]}")
        with pytest.raises(BadServerResponse) as failed:
            device.sync()
    finally:
        httpd.shutdown()
    message = failed.value.user_message()
    assert isinstance(failed.value, IntakeError) and "not an Intake sync response" in message
    assert device.state.status().waiting_profiles == 1
    assert device.state.cursor() == "0"


def test_a_vanished_server_is_a_clear_error_and_loses_nothing(make_device, server):
    device = make_device()
    device.session.profiles.save({"family_name": "Muster"}, **FORM)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    device.syncer._transport = Transport(f"http://127.0.0.1:{port}")
    with pytest.raises(ServerUnreachable) as failed:
        device.sync()
    assert "nothing was lost" in failed.value.user_message()
    assert device.state.status().waiting_profiles == 1
