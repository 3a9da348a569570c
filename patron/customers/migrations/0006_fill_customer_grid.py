from django.db import migrations

TRIGRAM_INDEXES = {
    "customers_grid_search_trgm": "search_text",
    "customers_grid_name_trgm": "name",
    "customers_grid_email_trgm": "email",
}


def create_trigram_indexes(apps, schema_editor):
    # Substring search ("contains") over a million rows needs trigram indexes; PostgreSQL only.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON customers_customergridrow "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def fill_grid(apps, schema_editor):
    from patron.customers.grid import build_row

    Customer = apps.get_model("customers", "Customer")
    Row = apps.get_model("customers", "CustomerGridRow")
    Row.objects.all().delete()  # idempotent: rerunnable on a database that has rows
    customers = Customer.objects.select_related("default_billing", "default_shipping").order_by(
        "pk"
    )
    batch = []
    for customer in customers.iterator(chunk_size=2000):
        row = build_row(customer)
        batch.append(Row(**{f.attname: getattr(row, f.attname) for f in Row._meta.concrete_fields}))
        if len(batch) >= 2000:
            Row.objects.bulk_create(batch)
            batch = []
    Row.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_customer_grid")]
    operations = [
        migrations.RunPython(fill_grid, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
