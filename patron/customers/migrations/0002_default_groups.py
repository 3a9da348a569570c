from django.db import migrations


def create_default_groups(apps, schema_editor):
    TaxClass = apps.get_model("customers", "TaxClass")
    CustomerGroup = apps.get_model("customers", "CustomerGroup")
    retail, _ = TaxClass.objects.get_or_create(kind="customer", name="Retail Customer")
    TaxClass.objects.get_or_create(kind="product", name="Taxable Goods")
    for group_id, code in ((0, "NOT LOGGED IN"), (1, "General"), (2, "Wholesale"), (3, "Retailer")):
        CustomerGroup.objects.get_or_create(
            id=group_id, defaults={"code": code, "tax_class": retail}
        )


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(create_default_groups, migrations.RunPython.noop)]
