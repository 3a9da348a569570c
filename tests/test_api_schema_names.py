"""The OpenAPI document names each schema by its class name, so two schemas with one name
silently become one: the second replaces the first in every operation that uses it."""

from collections import Counter

from ninja import Schema


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_api_schemas_share_a_name(client, db):
    # given: every router imported (the document is built from all of them)
    assert client.get("/api/v1/openapi.json").status_code == 200

    # when
    names = Counter(
        schema.__name__
        for schema in set(_subclasses(Schema))
        if schema.__module__.startswith("patron.")
    )

    # then
    assert [name for name, count in names.items() if count > 1] == []
