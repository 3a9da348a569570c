from django.core import checks


def register() -> None:
    checks.register(check_config_defaults, "patron")
    checks.register(check_deployment, "patron", deploy=True)


def check_config_defaults(app_configs, **kwargs):
    """Every registered setting's default must pass its own validation."""
    from django.core.exceptions import ValidationError

    from patron.scopes.config import FieldType, all_fields

    errors = []
    for config_field in all_fields():
        if config_field.type in (FieldType.CHOICE, FieldType.MULTICHOICE) and not isinstance(
            config_field.options, (list, tuple)
        ):
            continue  # options come from the database; nothing to check before it exists
        try:
            config_field.clean(config_field.default)
        except ValidationError as error:
            errors.append(
                checks.Error(
                    f"Default of {config_field.path} is not valid: {'; '.join(error.messages)}",
                    id="patron.E001",
                )
            )
    return errors


def check_deployment(app_configs, **kwargs):
    """The deployment checklist of docs/operations.md that ``patron check --deploy`` verifies
    beyond Django's own security checks."""
    from django.conf import settings

    found = []

    def warn(message: str, hint: str, code: int) -> None:
        found.append(checks.Warning(message, hint=hint, id=f"patron.W{code:03d}"))

    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        warn(
            "The database is not PostgreSQL.",
            "Set PATRON_DATABASE_URL=postgres://… (SQLite suits one machine and the demo).",
            1,
        )
    if not settings.REDIS_URL:
        warn(
            "PATRON_REDIS_URL is not set: the cache is a file cache and tasks use the database.",
            "Set PATRON_REDIS_URL to share the cache between processes and run tasks on RQ.",
            2,
        )
    if not settings.STAFF_TWO_FACTOR_REQUIRED:
        warn(
            "Two-factor authentication is not required for staff.",
            "Unset PATRON_STAFF_TWO_FACTOR (on by default in production) or set it to 1.",
            3,
        )
    if not settings.SECURE_HTTPS:
        warn("PATRON_HTTPS is off.", "Serve Patron over HTTPS and leave PATRON_HTTPS on.", 4)
    if settings.DATABASES["default"].get("CONN_MAX_AGE", 0) == 0 and engine.endswith("postgresql"):
        warn(
            "Each request opens a new database connection.",
            "Set PATRON_DB_CONN_MAX_AGE (e.g. 60) unless a pooler such as PgBouncer is in front.",
            5,
        )
    if settings.EMAIL_BACKEND.endswith(("console.EmailBackend", "locmem.EmailBackend")):
        warn("Emails are not sent.", "Set PATRON_EMAIL_URL=smtp://… .", 6)
    return found
