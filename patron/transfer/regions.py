"""Magento's numeric region ids, for the ``region_id`` column of Magento's address files.

``data/magento_regions.csv`` lists the regions Magento's directory data install
(``Magento/Directory/Setup/Patch/Data/InitializeDirectoryData``) creates first, in its order,
so their ids are the same in every Magento installation: the United States, Canada, Germany,
Austria, Switzerland, Spain and France (ids 1-277). Regions Magento added in later patches get
ids that depend on the installation's history and are not listed; files naming them still
import through the ``region`` column (name or code).
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "magento_regions.csv"


@dataclass(frozen=True)
class MagentoRegion:
    region_id: int
    country_id: str
    code: str
    name: str


@cache
def _table() -> dict[int, MagentoRegion]:
    with DATA_FILE.open(encoding="utf-8", newline="") as data:
        return {
            int(row["region_id"]): MagentoRegion(
                int(row["region_id"]), row["country_id"], row["code"], row["name"]
            )
            for row in csv.DictReader(data)
        }


@cache
def _by_country() -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for region in _table().values():
        found.setdefault((region.country_id, region.code.casefold()), region.region_id)
        found.setdefault((region.country_id, region.name.casefold()), region.region_id)
    return found


def region_by_id(region_id: int) -> MagentoRegion | None:
    """Return the region Magento numbers ``region_id``, or None when the table lacks it."""
    return _table().get(region_id)


def magento_region_id(country_id: str, code_or_name: str) -> int | None:
    """Return Magento's id of a region of ``country_id`` given by code or name, or None."""
    if not country_id or not code_or_name:
        return None
    return _by_country().get((country_id.upper(), code_or_name.strip().casefold()))
