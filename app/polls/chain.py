"""The ballot hash chain and receipts: how links are hashed, so anyone can recompute the published chain.

genesis = H("linli-poll|<poll id>|<roll fingerprint>"); link n = H(prev | n | receipt | digest), where the
digest commits to the ballot's content with a secret nonce: the published list proves a receipt is counted,
never what it chose.
"""

import base64
import hashlib
import json
import secrets
from decimal import Decimal


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def roll_fingerprint(entries: list[tuple[int, Decimal]]) -> str:
    """Hash of the eligible list: voter keys with their floor area, in key order, as canonical JSON."""
    canonical = json.dumps(
        [[key, f"{Decimal(area):.2f}"] for key, area in sorted(entries)], separators=(",", ":")
    )
    return sha256(canonical)


def genesis(poll_id: int, fingerprint: str | None) -> str:
    return sha256(f"linli-poll|{poll_id}|{fingerprint or ''}")


def new_nonce() -> str:
    return secrets.token_hex(16)


def digest(poll_id: int, choices: list[int], area: Decimal, nonce: str) -> str:
    return sha256(f"{poll_id}|{','.join(map(str, sorted(choices)))}|{Decimal(area):.2f}|{nonce}")


def receipt(poll_id: int, seq: int, ballot_digest: str) -> str:
    """A 16-letter code, grouped by four for reading aloud; random salt so it cannot be guessed."""
    raw = hashlib.sha256(f"{poll_id}|{seq}|{ballot_digest}|{secrets.token_hex(8)}".encode()).digest()
    code = base64.b32encode(raw[:10]).decode()
    return "-".join(code[i : i + 4] for i in range(0, 16, 4))


def link(prev_hash: str, seq: int, receipt_code: str, ballot_digest: str) -> str:
    return sha256(f"{prev_hash}|{seq}|{receipt_code}|{ballot_digest}")
