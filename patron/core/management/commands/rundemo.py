import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from patron.core.demo import (
    DEMO_SHOPPER_EMAIL,
    DEMO_SHOPPER_PASSWORD,
    DEMO_STAFF_PASSWORD,
    DEMO_STAFF_USERNAME,
)


class Command(BaseCommand):
    help = "Run the web process, the task worker and the scheduler together until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port, host, **options):
        if not settings.DEMO_MODE:
            raise CommandError("rundemo is for demo mode (PATRON_MODE=demo).")
        python = sys.executable
        manage = [python, "-m", "patron"]
        commands = {
            "web": [python, "-m", "gunicorn", "patron.wsgi:application", "--bind", f"{host}:{port}",
                    "--workers", "2", "--threads", "4", "--access-logfile", "-"],
            "worker": [*manage, "worker"],
            "scheduler": [*manage, "scheduler"],
        }  # fmt: skip
        # Fixed argument lists built above from sys.executable; no shell, no user input.
        processes = {name: subprocess.Popen(command) for name, command in commands.items()}  # noqa: S603
        base = f"http://{host}:{port}"
        self.stdout.write(
            "\nPatron is running (web, worker, scheduler). Ctrl-C stops all three.\n"
            f"  Back office:  {base}/admin/   staff {DEMO_STAFF_USERNAME} / {DEMO_STAFF_PASSWORD}\n"
            f"  API docs:     {base}/api/v1/docs\n"
            f"  Shopper:      {base}/customer/account/login/   {DEMO_SHOPPER_EMAIL} / {DEMO_SHOPPER_PASSWORD}\n"
            f"  Other views:  {base}/de/  {base}/fr/  {base}/ja/  {base}/pt_br/\n"
        )
        stopping = False

        def stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(
                            f"{name} exited with code {process.returncode}; stopping."
                        )
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.terminate()
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
            self.stdout.write("Stopped.")
