"""Reads that tolerate lag go to the read replica when one is configured."""

import pytest
from django.db import transaction

from patron.core.db import read_alias


@pytest.fixture
def with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}


def test_reads_stay_on_the_primary_without_a_replica(transactional_db):
    assert read_alias() == "default"


def test_reads_go_to_the_replica_when_one_is_set(transactional_db, with_replica):
    assert read_alias() == "replica"


def test_a_read_inside_a_write_stays_on_the_primary(transactional_db, with_replica):
    with transaction.atomic():
        assert read_alias() == "default"
