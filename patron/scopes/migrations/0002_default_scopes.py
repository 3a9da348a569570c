from django.db import migrations


def create_default_scopes(apps, schema_editor):
    Website = apps.get_model("scopes", "Website")
    Store = apps.get_model("scopes", "Store")
    StoreView = apps.get_model("scopes", "StoreView")
    if Website.objects.exists():
        return
    website = Website.objects.create(code="base", name="Main Website", is_default=True)
    store = Store.objects.create(
        website=website, code="main_website_store", name="Main Website Store", is_default=True
    )
    StoreView.objects.create(
        store=store, code="default", name="Default Store View", locale="en", is_default=True
    )


class Migration(migrations.Migration):
    dependencies = [("scopes", "0001_initial")]
    operations = [migrations.RunPython(create_default_scopes, migrations.RunPython.noop)]
