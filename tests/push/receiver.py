"""A push service on 127.0.0.1 for tests and benchmarks: it checks the VAPID Authorization header (ES256
signature, aud, exp) and decrypts each aes128gcm body with the key pair of a browser-like subscription."""

import base64
import json
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

URGENCIES = {"very-low", "low", "normal", "high"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A sender killed mid-request (the crash tests do that) is expected, not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class BrowserSubscription:
    """What a browser keeps: its ECDH key pair and auth secret; `json()` is PushSubscription.toJSON()."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def json(self) -> dict:
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }


@dataclass
class Delivery:
    endpoint: str
    status: int
    headers: dict
    claims: dict | None = None
    message: dict | None = None
    body_size: int = 0
    errors: list[str] = field(default_factory=list)


class PushReceiver:
    """`answer(endpoint, 503, {"Retry-After": "2"})` queues one scripted reply for an endpoint (or for any
    with endpoint=None); otherwise every valid push gets 201. `deliveries` lists what arrived."""

    def __init__(self, *, vapid_public_key: str | None = None, delay: float = 0.0, decrypt: bool = True):
        self.vapid_public_key = vapid_public_key
        self.delay = delay
        self.decrypt = decrypt
        self.deliveries: list[Delivery] = []
        self.subscriptions: dict[str, BrowserSubscription] = {}
        self._script: dict[str | None, list[tuple[int, dict]]] = {}
        self._first_at: float | None = None
        self._last_at: float | None = None
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                receiver._handle(self)

            def do_GET(self):
                body = json.dumps(receiver.stats()).encode()
                self.send_response(200 if self.path == "/stats" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="push-receiver", daemon=True)

    def start(self) -> "PushReceiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def new_subscription(self) -> BrowserSubscription:
        sub = BrowserSubscription(
            endpoint=f"{self.origin}/push/{uuid.uuid4().hex}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth=os.urandom(16),
        )
        with self._lock:
            self.subscriptions[sub.endpoint] = sub
        return sub

    def answer(self, endpoint: str | None, status: int, headers: dict | None = None) -> None:
        with self._lock:
            self._script.setdefault(endpoint, []).append((status, headers or {}))

    def for_endpoint(self, endpoint: str) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.endpoint == endpoint]

    def accepted(self) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if 200 <= d.status < 300]

    def errors(self) -> list[str]:
        with self._lock:
            return [e for d in self.deliveries for e in d.errors]

    def stats(self) -> dict:
        with self._lock:
            return {
                "received": len(self.deliveries),
                "accepted": sum(200 <= d.status < 300 for d in self.deliveries),
                "errors": [e for d in self.deliveries for e in d.errors][:10],
                "first_at": self._first_at,
                "last_at": self._last_at,
            }

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Until `count` pushes were accepted; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while sum(200 <= d.status < 300 for d in self.deliveries) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._arrived.wait(left)
        return True

    # -- the push service ------------------------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length)
        if len(body) < length:
            # The sender died mid-request (the crash tests kill it): nothing was delivered.
            request.close_connection = True
            return
        endpoint = self.origin + request.path
        headers = {k.lower(): v for k, v in request.headers.items()}
        delivery = Delivery(endpoint=endpoint, status=201, headers=headers, body_size=len(body))
        self._check(delivery, body)
        if self.delay:
            time.sleep(self.delay)
        reply: dict = {}
        with self._lock:
            if delivery.errors:
                delivery.status = 400
            else:
                for key in (endpoint, None):
                    if self._script.get(key):
                        delivery.status, reply = self._script[key].pop(0)
                        break
            self.deliveries.append(delivery)
            self._first_at = self._first_at or time.time()
            self._last_at = time.time()
            self._arrived.notify_all()
        request.send_response(delivery.status)
        if delivery.status == 201:
            request.send_header("Location", f"{endpoint}/messages/{uuid.uuid4().hex}")
        for name, value in reply.items():
            request.send_header(name, value)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def _check(self, delivery: Delivery, body: bytes) -> None:
        errors = delivery.errors
        headers = delivery.headers
        sub = self.subscriptions.get(delivery.endpoint)
        if sub is None:
            errors.append("unknown endpoint")
            return
        delivery.claims = self._verify_vapid(headers.get("authorization", ""), errors)
        if headers.get("content-encoding") != "aes128gcm":
            errors.append(f"content-encoding {headers.get('content-encoding')!r}")
        if not headers.get("ttl", "").isdigit():
            errors.append("TTL missing")
        if headers.get("urgency", "normal") not in URGENCIES:
            errors.append(f"urgency {headers.get('urgency')!r}")
        topic = headers.get("topic")
        if topic is not None and (len(topic) > 32 or any(c not in _B64URL for c in topic)):
            errors.append(f"topic {topic!r}")
        if len(body) > 4096:
            errors.append(f"body of {len(body)} bytes")
        if self.decrypt and not errors:
            try:
                plain = http_ece.decrypt(
                    body, private_key=sub.private_key, auth_secret=sub.auth, version="aes128gcm"
                )
                delivery.message = json.loads(plain)
            except Exception as exc:
                errors.append(f"cannot decrypt: {exc!r}")

    def _verify_vapid(self, header: str, errors: list[str]) -> dict | None:
        scheme, _, params = header.partition(" ")
        if scheme.lower() != "vapid":
            errors.append(f"authorization scheme {scheme!r}")
            return None
        parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
        token, key = parts.get("t", ""), parts.get("k", "")
        if self.vapid_public_key and key != self.vapid_public_key:
            errors.append("k is not the server's VAPID key")
        try:
            head, claims_b64, sig_b64 = token.split(".")
            header_json = json.loads(unb64url(head))
            claims = json.loads(unb64url(claims_b64))
            sig = unb64url(sig_b64)
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
            der = utils.encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
            public.verify(der, f"{head}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except (ValueError, InvalidSignature) as exc:
            errors.append(f"bad VAPID token: {exc!r}")
            return None
        if header_json.get("alg") != "ES256" or len(sig) != 64:
            errors.append(f"alg {header_json.get('alg')!r}")
        now = time.time()
        if claims.get("aud") != self.origin:
            errors.append(f"aud {claims.get('aud')!r} is not {self.origin}")
        if not (now < claims.get("exp", 0) <= now + 24 * 3600):
            errors.append(f"exp {claims.get('exp')!r} not within 24 h")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            errors.append(f"sub {claims.get('sub')!r}")
        return claims


_B64URL = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def main() -> None:
    """A stand-alone receiver for benchmarks: writes N browser-like subscriptions (endpoint and keys) to a
    JSON file, prints its origin, serves until SIGTERM; GET /stats counts what arrived."""
    import argparse
    import signal

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--subscriptions", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--vapid-key", default=None)
    args = parser.parse_args()
    receiver = PushReceiver(vapid_public_key=args.vapid_key)
    subs = [receiver.new_subscription().json() for _ in range(args.subscriptions)]
    with open(args.out, "w") as fh:
        json.dump(subs, fh)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(receiver.origin, flush=True)
    receiver.server.serve_forever()


if __name__ == "__main__":
    main()
