"""Import and export in Magento's layouts (issue 15): rows a second and peak memory.

``python -m bench.transfer [--rows N | --scale S] [--batch-size B] [--empty] [--json FILE]``

1. Writes a Customers and Addresses (composite) file of N rows (default 1,000,000; ``--scale``
   0.01 is 10,000) with ``password_hash`` only, through ``bench.magento_files``.
2. Check Data: ``patron.transfer.services.import_file(..., check_only=True)``, nothing written.
3. Import: the same call with ``check_first=False`` (Add/Update, no Check Data pass) into a
   database without customers (``--empty`` deletes every customer first; without it the run
   refuses when there are any). "With Check Data" is 2 + 3 (what ``import_file`` does by
   default, in one call), "without" is 3 alone.
4. Export of the Customers Main File, the Customer Addresses and the Customer Finances as CSV
   (``patron.transfer.exports.services.write_export``) into a file. When there is no store
   credit at all, every customer first gets a balance (one INSERT … SELECT, no ledger rows).

Each of 2–4 runs in its own process, so that its peak resident memory (``ru_maxrss``) is its own.
Goals: import ≥ 20,000 rows/s on PostgreSQL and ≥ 8,000 on SQLite, peak memory < 500 MB; the
export is held to the same figures. ``--profile PHASE`` runs that phase under cProfile and prints
the functions with the most time of their own. Exit status 1 when a goal is missed.

    PATRON_MODE=test PATRON_DATABASE_URL=postgres://… .venv/bin/python -m patron migrate
    PATRON_MODE=test PATRON_DATABASE_URL=postgres://… .venv/bin/python -m bench.transfer --empty
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.generate import setup_django

FULL_ROWS = 1_000_000
GOALS = {"postgresql": 20_000, "sqlite": 8_000}
MEMORY_GOAL_MB = 500
EXPORTS = ("customer", "customer_address", "customer_finance")
PHASES = ("check", "import", *(f"export:{entity}" for entity in EXPORTS))


# --- One phase, in its own process --------------------------------------------------------------


def _run_phase(phase: str, path: Path, batch_size: int) -> dict[str, Any]:
    from django.db import connection

    from patron.core.actors import SYSTEM
    from patron.transfer import layouts

    started = time.perf_counter()
    if phase in ("check", "import"):
        from patron.transfer.services import import_file

        result = import_file(
            path, entity=layouts.CUSTOMER_COMPOSITE, behavior=layouts.APPEND,
            check_only=phase == "check", check_first=False, batch_size=batch_size,
            actor=SYSTEM, allowed_errors=0,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        summary = {"ok": result.ok, "batches": result.batches, **result.counts.as_dict()}
        if result.problems:
            summary["first_problems"] = [p.as_dict() for p in result.problems[:3]]
        rows = result.counts.rows
    else:
        from patron.transfer.exports.services import write_export

        entity = phase.partition(":")[2]
        with tempfile.NamedTemporaryFile(suffix=".csv") as out:
            rows = write_export(out, entity=entity, file_format="csv")
            out.flush()
            summary = {"bytes": os.path.getsize(out.name)}
        seconds = time.perf_counter() - started
    return {
        "phase": phase,
        "vendor": connection.vendor,
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds) if seconds else 0,
        "peak_mb": round(_peak_kib() / 1024, 1),
        "summary": summary,
    }


def _peak_kib() -> int:
    """This process's peak resident memory. ``ru_maxrss`` survives ``exec`` (a child would
    report its parent's peak when higher), so Linux's VmHWM is read first."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(argv: list[str]) -> int:
    phase, path, batch_size, profile = argv[0], Path(argv[1]), int(argv[2]), argv[3] == "1"
    setup_django()
    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        outcome = profiler.runcall(_run_phase, phase, path, batch_size)
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(25)
    else:
        outcome = _run_phase(phase, path, batch_size)
    print("RESULT " + json.dumps(outcome))
    return 0


def _spawn(phase: str, path: Path, batch_size: int, profile: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.transfer", "--child", phase, str(path),
               str(batch_size), "1" if profile else "0"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if profile or done.returncode:
        sys.stderr.write(done.stderr)
    if done.returncode:
        raise SystemExit(f"{phase} failed (exit {done.returncode})")
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


# --- The run -----------------------------------------------------------------------------------


def _empty_customers(force: bool) -> None:
    from django.db import connection

    from patron.customers.models import Customer

    if not Customer.objects.exists():
        return
    if not force:
        raise SystemExit("The database has customers: use a fresh one or pass --empty.")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE customers_customer CASCADE")
        else:
            Customer.objects.all().delete()


def _ensure_balances() -> int:
    """Give every customer a store credit balance on their website when there are none, so that
    the finance export has a row per customer. One set-based INSERT, without the history rows
    the ledger would have (a throwaway benchmark database only)."""
    from django.db import connection

    from patron.credit.models import StoreCreditBalance

    if StoreCreditBalance.objects.exists():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO credit_storecreditbalance (customer_id, website_id, amount, currency,"
            " updated_at) SELECT c.id, c.website_id, (c.id % 1000) + 0.5, w.base_currency,"
            " c.created_at FROM customers_customer c JOIN scopes_website w ON w.id = c.website_id"
        )
        return cursor.rowcount


def _machine() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else
                       "SELECT sqlite_version()")  # fmt: skip
        version = cursor.fetchone()[0]
    return {
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "machine": platform.machine(), "database": version.split(" on ")[0],
        "load_before": round(os.getloadavg()[0], 1),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return _child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=FULL_ROWS)
    parser.add_argument("--scale", type=float, help="Rows as a share of 1,000,000 (0.01: 10,000).")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--empty", action="store_true", help="Delete every customer first.")
    parser.add_argument("--file", type=Path, help="Reuse (or keep) the composite file here.")
    parser.add_argument("--phases", default=",".join(PHASES), help="Comma-separated subset.")
    parser.add_argument("--profile", default="", help="Run this phase under cProfile.")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rows = round(args.scale * FULL_ROWS) if args.scale else args.rows
    setup_django()
    from django.db import connection

    from bench.magento_files import write_composite

    machine = _machine()
    vendor = connection.vendor
    if "import" in args.phases.split(","):
        _empty_customers(args.empty)
    with tempfile.TemporaryDirectory() as folder:
        path = args.file or Path(folder) / "composite.csv"
        if not path.exists():
            started = time.perf_counter()
            written, customers = write_composite(path, rows)
            seconds = time.perf_counter() - started
            size = path.stat().st_size / 2**20
            print(
                f"file: {written:,} rows, {customers:,} customers, {size:.0f} MiB, {seconds:.1f} s"
            )
        connection.close()
        results = []
        for phase in args.phases.split(","):
            if phase == "export:customer_finance":
                # After the import phase, which may have brought the customers.
                added = _ensure_balances()
                connection.close()
                if added:
                    print(f"added {added:,} store credit balances for the finance export")
            outcome = _spawn(phase, path, args.batch_size, args.profile == phase)
            results.append(outcome)
            print(f"{phase:<24} {outcome['rows']:>10,} rows {outcome['seconds']:>8.1f} s "
                  f"{outcome['rows_per_second']:>8,} rows/s  peak {outcome['peak_mb']:>6.0f} MB  "
                  f"{outcome['summary']}")  # fmt: skip
    by_phase = {outcome["phase"]: outcome for outcome in results}
    missed = _verdicts(by_phase, vendor)
    machine["load_after"] = round(os.getloadavg()[0], 1)
    print(f"machine: {machine}")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "rows": rows, "results": results,
                                         "missed": missed}, indent=2))  # fmt: skip
    return 1 if missed else 0


def _verdicts(by_phase: dict[str, dict[str, Any]], vendor: str) -> list[str]:
    goal = GOALS.get(vendor, 0)
    missed = []
    if "check" in by_phase and "import" in by_phase:
        check, load = by_phase["check"], by_phase["import"]
        total = check["seconds"] + load["seconds"]
        with_check = round(load["rows"] / total) if total else 0
        print(f"import with Check Data: {with_check:,} rows/s; without: "
              f"{load['rows_per_second']:,} rows/s (goal {goal:,})")  # fmt: skip
        if with_check < goal:
            missed.append(f"import with Check Data {with_check} < {goal} rows/s")
    for phase, outcome in by_phase.items():
        if phase != "check" and outcome["rows"] and outcome["rows_per_second"] < goal:
            missed.append(f"{phase} {outcome['rows_per_second']} < {goal} rows/s")
        if outcome["peak_mb"] >= MEMORY_GOAL_MB:
            missed.append(f"{phase} peak {outcome['peak_mb']} MB >= {MEMORY_GOAL_MB} MB")
    for line in missed:
        print(f"MISSED: {line}")
    return missed


if __name__ == "__main__":
    raise SystemExit(main())
