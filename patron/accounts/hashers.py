"""Verify password hashes imported from Magento, so migrated customers keep their passwords.

Imported hashes are stored as ``magento$<the hash as Magento wrote it>``. Magento writes
``hash:salt`` (legacy: MD5 or SHA-256 of salt + password, told apart by length) and
``hash:salt:v1[:v2...]`` where each version re-hashes the previous result: 0 = MD5, 1 = SHA-256,
2 = Argon2id v1.3 with libsodium's "interactive" limits. Django's ``check_password`` calls the
setter after a successful check because this hasher is not the preferred one, so the password
is re-hashed with Argon2id on the customer's first sign-in.
"""

import hashlib
import hmac

from argon2.low_level import Type, hash_secret_raw
from django.contrib.auth.hashers import BasePasswordHasher
from django.utils.translation import gettext_noop

MD5, SHA256, ARGON2ID13 = 0, 1, 2
# libsodium's crypto_pwhash interactive limits, as Magento uses them.
SODIUM_SALT_BYTES = 16
SODIUM_OPSLIMIT_INTERACTIVE = 2
SODIUM_MEMLIMIT_INTERACTIVE_KIB = 64 * 1024
SODIUM_SEED_BYTES = 32


def _argon2id13(data: str, salt: str) -> str:
    salt_bytes = salt.encode()[:SODIUM_SALT_BYTES]
    if len(salt_bytes) < SODIUM_SALT_BYTES:
        # Magento pads a short salt by repeating it.
        salt_bytes = (salt_bytes * SODIUM_SALT_BYTES)[:SODIUM_SALT_BYTES]
    raw = hash_secret_raw(
        data.encode(),
        salt_bytes,
        time_cost=SODIUM_OPSLIMIT_INTERACTIVE,
        memory_cost=SODIUM_MEMLIMIT_INTERACTIVE_KIB,
        parallelism=1,
        hash_len=SODIUM_SEED_BYTES,
        type=Type.ID,
    )
    return raw.hex()


def _apply(version: int, data: str, salt: str) -> str:
    if version == MD5:
        return hashlib.md5((salt + data).encode(), usedforsecurity=False).hexdigest()
    if version == SHA256:
        return hashlib.sha256((salt + data).encode()).hexdigest()
    if version == ARGON2ID13:
        return _argon2id13(data, salt)
    raise ValueError(f"Unknown Magento hash version {version}")


def parse_magento_hash(value: str) -> tuple[str, str, list[int]]:
    """Split a Magento hash into (hash, salt, versions); raise ValueError when malformed."""
    parts = value.split(":")
    if len(parts) < 2 or not parts[0]:
        raise ValueError("A Magento hash has the form hash:salt[:version...]")
    digest, salt = parts[0], parts[1]
    if len(parts) == 2:
        legacy = {32: MD5, 64: SHA256}.get(len(digest))
        if legacy is None:
            raise ValueError("A two-part Magento hash is an MD5 or SHA-256 hex digest")
        return digest, salt, [legacy]
    versions = [int(part) for part in parts[2:]]
    if any(v not in (MD5, SHA256, ARGON2ID13) for v in versions):
        raise ValueError("Unknown Magento hash version")
    return digest, salt, versions


def verify_magento_hash(password: str, value: str) -> bool:
    digest, salt, versions = parse_magento_hash(value)
    result = password
    for version in versions:
        result = _apply(version, result, salt)
    return hmac.compare_digest(result, digest.lower())


class MagentoPasswordHasher(BasePasswordHasher):
    """Checks imported Magento hashes; never used to hash new passwords."""

    algorithm = "magento"

    def salt(self):
        raise NotImplementedError("Magento hashes are only verified, never created.")

    def encode(self, password, salt):
        raise NotImplementedError("Magento hashes are only verified, never created.")

    def decode(self, encoded):
        algorithm, _sep, original = encoded.partition("$")
        digest, salt, versions = parse_magento_hash(original)
        return {"algorithm": algorithm, "hash": digest, "salt": salt, "versions": versions}

    def verify(self, password, encoded):
        algorithm, _sep, original = encoded.partition("$")
        if algorithm != self.algorithm:
            return False
        try:
            return verify_magento_hash(password, original)
        except ValueError:
            return False

    def safe_summary(self, encoded):
        decoded = self.decode(encoded)
        return {
            gettext_noop("algorithm"): self.algorithm,
            gettext_noop("versions"): ":".join(str(v) for v in decoded["versions"]),
        }

    def must_update(self, encoded):
        return True

    def harden_runtime(self, password, encoded):
        pass


def stored_magento_hash(magento_value: str) -> str:
    """Return the value to store for a hash imported from Magento (validated)."""
    parse_magento_hash(magento_value)
    return f"magento${magento_value}"
