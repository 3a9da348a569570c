"""Flag the system attributes the guide uses in segment conditions by default (spec c §4.2)."""

from django.db import migrations

CUSTOMER = ("dob", "email", "firstname", "group_id", "lastname", "gender", "created_at")
ADDRESS = (
    "firstname", "lastname", "company", "street", "city", "region", "postcode", "country_id",
    "telephone",
)  # fmt: skip


def flag(apps, schema_editor):
    attribute = apps.get_model("customers", "CustomerAttribute")
    attribute.objects.filter(entity="customer", code__in=CUSTOMER, is_system=True).update(
        used_in_segments=True
    )
    attribute.objects.filter(entity="address", code__in=ADDRESS, is_system=True).update(
        used_in_segments=True
    )


class Migration(migrations.Migration):
    dependencies = [("customers", "0012_address_attribute_proxy")]

    operations = [migrations.RunPython(flag, migrations.RunPython.noop)]
