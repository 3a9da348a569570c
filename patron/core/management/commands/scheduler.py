import signal
import time

from django.core.management.base import BaseCommand

from patron.core.scheduler import periodic_jobs, run_due_jobs


class Command(BaseCommand):
    help = "Run the scheduler: queue each periodic job when it is due (one process per install)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=None, help="Seconds between checks.")
        parser.add_argument("--once", action="store_true", help="Check once and exit.")

    def handle(self, *args, interval=None, once=False, **options):
        from django.conf import settings

        interval = interval or settings.SCHEDULER_INTERVAL_SECONDS
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        codes = ", ".join(job.code for job in periodic_jobs())
        self.stdout.write(f"Scheduler started; jobs: {codes or 'none'}.")
        from patron.core.health import SCHEDULER_HEARTBEAT_KEY, record_heartbeat
        from patron.core.tasks import worker_heartbeat

        worker_heartbeat.enqueue()
        while self.running:
            record_heartbeat(SCHEDULER_HEARTBEAT_KEY)
            for code in run_due_jobs():
                self.stdout.write(f"Queued {code}.")
            if once:
                break
            for _ in range(interval * 10):
                if not self.running:
                    break
                time.sleep(0.1)

    def _stop(self, *args):
        self.running = False
