from django.core.management.base import BaseCommand
from django.db import connection

from patron.customers import attributes
from patron.customers.models import CustomerAttribute

PREFIX = "cust_grid_attr_"


def _attribute_indexes() -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "customers_customergridrow")
    return {name for name in found if name.startswith(PREFIX)}


class Command(BaseCommand):
    help = (
        "Create the customers grid index of every custom attribute used in filter options and "
        "drop the attribute indexes no attribute needs any more."
    )

    def handle(self, *args, **options):
        before = _attribute_indexes()
        wanted = sorted(
            attributes.grid_index_name(attribute)
            for attribute in CustomerAttribute.objects.filter(
                is_system=False, filterable_in_grid=True
            )
        )
        kept, dropped = attributes.rebuild_grid_indexes()
        after = _attribute_indexes()
        for name in wanted:
            self.stdout.write(f"{'Kept' if name in before else 'Created'} {name}")
        for name in sorted(before - after):
            self.stdout.write(f"Dropped {name}")
        created = len(set(wanted) - before)
        self.stdout.write(
            f"{kept} attribute indexes in place ({created} created), {dropped} dropped."
        )
