"""Patron's own image CAPTCHA with an audio alternative (the ``captcha`` library draws and
speaks the text). Challenges live in the shared cache, expire after the configured timeout and
can be answered once."""

import secrets

from captcha.audio import AudioCaptcha
from captcha.image import ImageCaptcha
from django.core.cache import cache

from patron.scopes.config import get_config

LOGIN, FORGOT_PASSWORD, CREATE, CHANGE_PASSWORD = (
    "user_login",
    "user_forgotpassword",
    "user_create",
    "customer_change_password",
)
FAILURE_WINDOW_SECONDS = 3600


def _key(challenge_id: str) -> str:
    return f"patron:captcha:{challenge_id}"


def _length(website) -> int:
    spec = str(get_config("customer/captcha/length", website=website))
    low, _sep, high = spec.partition("-")
    low_n = int(low)
    high_n = int(high) if high else low_n
    return secrets.choice(range(min(low_n, high_n), max(low_n, high_n) + 1))


def is_enabled_for(form: str, website) -> bool:
    return bool(get_config("customer/captcha/enable", website=website)) and form in (
        get_config("customer/captcha/forms", website=website) or []
    )


def _failure_keys(email: str | None, ip: str | None) -> list[str]:
    keys = []
    if email:
        keys.append(f"patron:captcha-fail:email:{email.strip().lower()}")
    if ip:
        keys.append(f"patron:captcha-fail:ip:{ip}")
    return keys


def is_required(form: str, website, *, email: str | None = None, ip: str | None = None) -> bool:
    """Whether ``form`` must show a CAPTCHA now. Login follows the displaying mode and counts
    failures per email and per IP; the other forms always require it when selected."""
    if not is_enabled_for(form, website):
        return False
    if form != LOGIN or get_config("customer/captcha/mode", website=website) == "always":
        return True
    threshold = int(get_config("customer/captcha/failed_attempts_login", website=website))
    if threshold == 0:
        return True
    return any((cache.get(key) or 0) >= threshold for key in _failure_keys(email, ip))


def note_login_failure(*, email: str | None, ip: str | None) -> None:
    for key in _failure_keys(email, ip):
        if not cache.add(key, 1, timeout=FAILURE_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.add(key, 1, timeout=FAILURE_WINDOW_SECONDS)


def clear_login_failures(*, email: str | None, ip: str | None) -> None:
    cache.delete_many(_failure_keys(email, ip))


def new_challenge(website) -> str:
    """Create a challenge and return its id; the text is kept only in the cache."""
    symbols = str(get_config("customer/captcha/symbols", website=website))
    text = "".join(secrets.choice(symbols) for _ in range(_length(website)))
    challenge_id = secrets.token_urlsafe(16)
    timeout = int(get_config("customer/captcha/timeout", website=website)) * 60
    cache.set(_key(challenge_id), {"text": text, "website_id": website.pk}, timeout=timeout)
    return challenge_id


def image_png(challenge_id: str) -> bytes | None:
    data = cache.get(_key(challenge_id))
    if data is None:
        return None
    return ImageCaptcha(width=220, height=80).generate(data["text"], format="png").getvalue()


def audio_wav(challenge_id: str) -> bytes | None:
    data = cache.get(_key(challenge_id))
    if data is None:
        return None
    # The bundled voices speak digits and capital letters, so the audio spells the text in
    # capitals; audio answers are therefore compared without case (see verify()).
    return bytes(AudioCaptcha().generate(data["text"].upper()))


def verify(challenge_id: str | None, answer: str | None, website) -> bool:
    """Check an answer once; the challenge is gone afterwards, right or wrong."""
    if not challenge_id or answer is None:
        return False
    data = cache.get(_key(challenge_id))
    cache.delete(_key(challenge_id))
    if data is None or data.get("website_id") != website.pk:
        return False
    expected, given = data["text"], answer.strip()
    if get_config("customer/captcha/case_sensitive", website=website) and given != given.upper():
        return secrets.compare_digest(given, expected)
    return secrets.compare_digest(given.upper(), expected.upper())
