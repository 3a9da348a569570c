from django.core import checks


def register() -> None:
    checks.register(check_config_defaults, "patron")


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
