from django.db import migrations


# The model's own fields, listed as system attributes with their fixed properties (spec b §4):
# code, label, input type, required, sort order, in the grid, filterable, searchable.
SYSTEM_ATTRIBUTES = {
    "customer": [
        ("created_at", "Customer Since", "date", False, 0, True, True, False),
        ("updated_at", "Updated At", "date", False, 0, False, False, False),
        ("website_id", "Associate to Website", "select", True, 10, True, True, False),
        ("created_in", "Account Created in", "select", False, 20, True, True, False),
        ("group_id", "Group", "select", True, 25, True, True, False),
        (
            "disable_auto_group_change",
            "Disable Automatic Group Change Based on VAT ID",
            "boolean",
            False,
            28,
            False,
            False,
            False,
        ),
        ("prefix", "Name Prefix", "text", False, 30, False, False, False),
        ("firstname", "First Name", "text", True, 40, True, True, True),
        ("middlename", "Middle Name/Initial", "text", False, 50, False, False, False),
        ("lastname", "Last Name", "text", True, 60, True, True, True),
        ("suffix", "Name Suffix", "text", False, 70, False, False, False),
        ("email", "Email", "text", True, 80, True, True, True),
        ("dob", "Date of Birth", "date", False, 90, True, True, False),
        ("taxvat", "Tax/VAT Number", "text", False, 100, True, True, True),
        ("gender", "Gender", "select", False, 110, True, True, False),
    ],
    "address": [
        ("prefix", "Name Prefix", "text", False, 10, False, False, False),
        ("firstname", "First Name", "text", True, 20, True, False, True),
        ("middlename", "Middle Name/Initial", "text", False, 30, False, False, False),
        ("lastname", "Last Name", "text", True, 40, True, False, True),
        ("suffix", "Name Suffix", "text", False, 50, False, False, False),
        ("company", "Company", "text", False, 60, True, True, True),
        ("street", "Street Address", "multiline", True, 70, True, True, True),
        ("city", "City", "text", True, 80, True, True, True),
        ("country_id", "Country", "select", True, 90, True, True, False),
        ("region", "State/Province", "text", False, 100, True, True, True),
        ("postcode", "Zip/Postal Code", "text", False, 110, True, True, True),
        ("telephone", "Phone Number", "text", True, 120, True, True, True),
        ("fax", "Fax", "text", False, 130, True, True, False),
        ("vat_id", "VAT Number", "text", False, 140, True, True, True),
    ],
}


def add_system_attributes(apps, schema_editor):
    CustomerAttribute = apps.get_model("customers", "CustomerAttribute")
    for entity, rows in SYSTEM_ATTRIBUTES.items():
        for code, label, input_type, required, order, grid, filterable, searchable in rows:
            CustomerAttribute.objects.get_or_create(
                entity=entity,
                code=code,
                defaults={
                    "label": label, "input_type": input_type, "is_system": True,
                    "is_required": required, "sort_order": order, "in_grid": grid,
                    "filterable_in_grid": filterable, "searchable_in_grid": searchable,
                    "multiline_count": 4 if code == "street" else 2,
                },
            )  # fmt: skip


def remove_system_attributes(apps, schema_editor):
    apps.get_model("customers", "CustomerAttribute").objects.filter(is_system=True).delete()



class Migration(migrations.Migration):
    dependencies = [("customers", "0010_custom_attributes")]

    operations = [migrations.RunPython(add_system_attributes, remove_system_attributes)]
