from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("customers", "0011_system_attributes")]

    operations = [
        migrations.CreateModel(
            name="AddressAttribute",
            fields=[],
            options={
                "verbose_name": "customer address attribute",
                "verbose_name_plural": "customer address attributes",
                "proxy": True,
                "default_permissions": (),
                "indexes": [],
                "constraints": [],
            },
            bases=("customers.customerattribute",),
        ),
    ]
