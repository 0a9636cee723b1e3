"""A push service of our own for the tests (tests/test_push.py): it takes what the server
pushes, as a browser's push service would, on 127.0.0.1.

Each subscription it hands out has the keys a browser makes (a P-256 key pair and a 16-byte
auth secret); the receiver keeps the private parts, checks the VAPID signature and claims of
every push (RFC 8292) and decrypts its payload (RFC 8291, aes128gcm, with http_ece), so that a
test reads what the phone would show. It answers each endpoint with the status a test asks for.
"""

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    """One push as the receiver took it."""

    path: str
    headers: dict  # names in lower case: HTTP's are case-blind, and pywebpush sends some in lower case
    claims: dict  # the VAPID JWT's claims, after its signature was checked
    signer: str  # the public key the push was signed with (the k= of Authorization)
    message: dict  # the decrypted payload, as JSON


@dataclass
class Phone:
    """A browser's subscription: what it gives the server, and the keys it keeps to itself."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(raw)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def as_json(self) -> dict:
        """What PushSubscription.toJSON() gives in a browser."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class RefusedPush(Exception):
    pass


def check_vapid(authorization: str, origin: str) -> tuple[dict, str]:
    """The claims of a VAPID Authorization header ("vapid t=<jwt>, k=<key>"), once its ES256
    signature is checked against k and its audience and expiry are right; raises RefusedPush."""
    scheme, _space, rest = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise RefusedPush(f"not vapid: {scheme}")
    parts = dict(item.strip().split("=", 1) for item in rest.split(","))
    token, signer = parts["t"], parts["k"]
    head, body, signature = token.split(".")
    header = json.loads(unb64url(head))
    if header.get("alg") != "ES256":
        raise RefusedPush(f"alg {header.get('alg')}")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(signer))
    raw = unb64url(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise RefusedPush("bad signature") from None
    claims = json.loads(unb64url(body))
    if claims.get("aud") != origin:
        raise RefusedPush(f"aud {claims.get('aud')} is not {origin}")
    # RFC 8292 §2: no more than 24 hours ahead.
    if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
        raise RefusedPush(f"exp {claims.get('exp')}")
    return claims, signer


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    phones: dict = field(default_factory=dict)  # path -> Phone
    answers: dict = field(default_factory=dict)  # path -> status to answer
    received: list = field(default_factory=list)  # Received
    refused: list = field(default_factory=list)  # why a push was not taken (a bad signature, ...)

    @property
    def origin(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def phone(self, name: str, answer: int = 201) -> Phone:
        """A new subscription at /push/<name>, answered with `answer`."""
        path = f"/push/{name}"
        made = Phone(self.origin + path, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.phones[path] = made
        self.answers[path] = answer
        return made

    def take(self, path: str, headers: dict, content: bytes) -> int:
        phone = self.phones.get(path)
        if phone is None:
            return 404
        try:
            claims, signer = check_vapid(headers.get("authorization", ""), self.origin)
        except (RefusedPush, KeyError, ValueError) as refusal:
            self.refused.append(str(refusal))
            return 403
        plain = http_ece.decrypt(
            content, private_key=phone.private_key, auth_secret=phone.auth_secret, version="aes128gcm"
        )
        self.received.append(Received(path, headers, claims, signer, json.loads(plain)))
        return self.answers[path]


def start_receiver() -> Receiver:
    """A receiver listening on a free port of 127.0.0.1 in a thread of its own; stop with stop()."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            content = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.take(self.path, {k.lower(): v for k, v in self.headers.items()}, content)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = Receiver(ThreadingHTTPServer(("127.0.0.1", 0), Handler))
    threading.Thread(target=receiver.server.serve_forever, daemon=True).start()
    return receiver


def stop(receiver: Receiver) -> None:
    receiver.server.shutdown()
    receiver.server.server_close()
