"""A real Kannel for the tests: bearerbox and smsbox from Debian's `kannel`, with `fakesmsc`
(from `kannel-extras`) playing the operator, on free ports in a temporary directory.

smsbox's sendsms user is what SMS_SENDSMS_URL points at; its sms-service's get-url and every
dlr-url point at the test's live server. fakesmsc prints each message the operator receives
("Got message N: <sender receiver coding text>"); a resident's reply is a fakesmsc started
with that one message to send (`reply`). Without the binaries the tests are skipped, except
in CI (CI=true), where they fail: CI installs them (make sms-deps)."""

from __future__ import annotations

import http.server
import os
import re
import socket
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
SHORT_CODE = "8100"
TOKEN = "kannel-test-token"
GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (\S+) (.*)>")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, seconds: float = 15) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"Kannel did not open port {port}")


def wait_until(check, seconds: float = 15):
    """Poll `check` until it returns something true; that value, or the last falsy one."""
    end = time.monotonic() + seconds
    value = check()
    while not value and time.monotonic() < end:
        time.sleep(0.2)
        value = check()
    return value


def _bytes(field_text: str) -> bytes:
    return urllib.parse.unquote_to_bytes(field_text.replace("+", " "))


def _decoded(kind: str, data: bytes) -> str:
    return data.decode("utf-16-be" if kind == "ucs-2" else "latin-1")


@dataclass
class Kannel:
    folder: Path
    smsc_port: int
    sendsms_url: str
    processes: dict = field(default_factory=dict)

    def _fakesmsc(self, *messages: str) -> subprocess.Popen:
        log = open(self.folder / f"fakesmsc-{len(self.processes)}.log", "w")  # noqa: SIM115 (kept by the process)
        args = [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.smsc_port), "-i", "0.1", "-m", str(len(messages))]
        return subprocess.Popen(
            [*args, *(messages or ("0 0 text nop",))], stdout=log, stderr=subprocess.STDOUT
        )

    def received(self) -> list[tuple[str, str, str, int]]:
        """(to, coding, text, segments) of every SMS the operator got whole, its concatenated
        parts joined (by their UDH reference) and its text decoded: "ucs-2" or "text" (GSM-7)."""
        got, parts = [], {}
        for path in sorted(self.folder.glob("fakesmsc-*.log")):
            for match in GOT.finditer(path.read_text()):
                to_, kind, rest = match[2], match[3], match[4]
                if kind == "udh":
                    udh, part_kind, payload = rest.split(" ", 2)
                    ref, total, seq = urllib.parse.unquote_to_bytes(udh)[3:6]
                    parts.setdefault((to_, ref), {"total": total, "kind": part_kind})[seq] = _bytes(payload)
                else:
                    got.append((to_, kind, _decoded(kind, _bytes(rest)), 1))
        for (to_, _ref), joined in parts.items():
            if len(joined) - 2 < joined["total"]:
                continue  # a part still on its way: the message is received when all are
            pieces = [joined[i] for i in range(1, joined["total"] + 1)]
            kind = "ucs-2" if joined["kind"] == "data" else "text"
            got.append((to_, kind, _decoded(kind, b"".join(pieces)), len(pieces)))
        return got

    def reply(self, sender: str, text: str) -> None:
        """The operator passes on an SMS `sender` sent to our number (fakesmsc takes one client:
        the listening one gives way to one that sends the reply, then listens)."""
        self.stop("fakesmsc")
        self.processes["fakesmsc"] = self._fakesmsc(f"{sender} {SHORT_CODE} text {text}")

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


CONF = """
group = core
admin-port = {admin}
admin-password = test-admin
smsbox-port = {smsbox}
box-allow-ip = "127.0.0.1"
log-file = "{folder}/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = {smsc}
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox}
sendsms-port = {sendsms}
global-sender = {short}
log-file = "{folder}/smsbox.log"
log-level = 1

group = sendsms-user
username = softbridge
password = test-password
# Without these, smsbox cuts a message to one segment (its default max-messages is 1).
max-messages = 10
concatenation = true

group = sms-service
keyword = default
catch-all = true
max-messages = 0
get-url = "{site}/reminders/sms/inbound/{token}/?from=%p&text=%a"
"""


def kannel_missing() -> bool:
    return not all(os.access(p, os.X_OK) for p in (BEARERBOX, SMSBOX, FAKESMSC))


@pytest.fixture(name="kannel")
def kannel_fixture(live_server, settings, tmp_path):
    """Kannel running against the live server, with Softbridge's settings pointing at it."""
    if kannel_missing():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Kannel is not installed (make sms-deps installs kannel and kannel-extras)")
        pytest.skip("Kannel is not installed (make sms-deps)")
    ports = {name: _free_port() for name in ("admin", "smsbox", "smsc", "sendsms")}
    conf = tmp_path / "kannel.conf"
    conf.write_text(
        CONF.format(folder=tmp_path, short=SHORT_CODE, site=live_server.url, token=TOKEN, **ports)
    )
    k = Kannel(
        folder=tmp_path,
        smsc_port=ports["smsc"],
        sendsms_url=f"http://127.0.0.1:{ports['sendsms']}/cgi-bin/sendsms?username=softbridge&password=test-password",
    )
    out = open(tmp_path / "boxes.out", "w")  # noqa: SIM115 (kept by the processes)
    try:
        k.processes["bearerbox"] = subprocess.Popen(
            [BEARERBOX, str(conf)], stdout=out, stderr=subprocess.STDOUT
        )
        _wait_for_port(ports["smsc"])
        k.processes["fakesmsc"] = k._fakesmsc()
        k.processes["smsbox"] = subprocess.Popen([SMSBOX, str(conf)], stdout=out, stderr=subprocess.STDOUT)
        _wait_for_port(ports["sendsms"])
        settings.SMS_SENDSMS_URL = k.sendsms_url
        settings.SMS_CALLBACK_TOKEN = TOKEN
        settings.SITE_URL = live_server.url
        yield k
    finally:
        for name in ("smsbox", "fakesmsc", "bearerbox"):
            k.stop(name)
        out.close()


class _SinkHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the standard library's name)
        sink = self.server.sink
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        sink.requests.append({k: v[0] for k, v in query.items()})
        status = sink.answers.pop(0) if sink.answers else 202
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"0: Accepted for delivery" if status == 202 else b"refused")

    def log_message(self, *args):
        pass


@dataclass
class Sink:
    """An HTTP server standing in for Kannel's sendsms: it keeps each request's query and
    answers 202, or the statuses queued in `answers` first."""

    url: str
    requests: list = field(default_factory=list)
    answers: list = field(default_factory=list)


@pytest.fixture(name="sms_sink")
def sms_sink_fixture(settings):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SinkHandler)
    server.sink = Sink(url=f"http://127.0.0.1:{server.server_port}/cgi-bin/sendsms?username=u&password=p")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_SENDSMS_URL = server.sink.url
    settings.SMS_CALLBACK_TOKEN = TOKEN
    try:
        yield server.sink
    finally:
        server.shutdown()
        server.server_close()
