"""`kehu serve`: gunicorn for HTTP plus the huey consumer for background jobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Kehu with gunicorn (and run background jobs unless --no-worker)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("KEHU_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("KEHU_PORT", "8000")))
        parser.add_argument("--workers", type=int,
                            default=int(os.environ.get("KEHU_WORKERS", "2")))
        parser.add_argument("--threads", type=int,
                            default=int(os.environ.get("KEHU_THREADS", "4")))
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start the background job consumer")

    def handle(self, *args, **options):
        if not (settings.STATIC_ROOT / "staticfiles.json").exists():
            call_command("collectstatic", interactive=False, verbosity=0)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "kehu.config.settings.base")}
        web = [sys.executable, "-m", "gunicorn", "kehu.config.wsgi:application",
               "--bind", f"{options['host']}:{options['port']}",
               "--workers", str(options["workers"]), "--worker-class", "gthread",
               "--threads", str(options["threads"]), "--timeout", "120",
               "--access-logfile", "-", "--error-logfile", "-"]
        children = [subprocess.Popen(web, env=env)]  # noqa: S603 - our own interpreter
        if not options["no_worker"]:
            worker = [sys.executable, "-m", "kehu", "run_huey", "--workers", "2",
                      "--worker-type", "thread"]
            children.append(subprocess.Popen(worker, env=env))  # noqa: S603
        self.stdout.write(f"Kehu is serving on http://{options['host']}:{options['port']}/")

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop(None, None)
            for child in children:
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
        codes = [child.returncode for child in children]
        if any(code not in (0, -signal.SIGTERM) for code in codes):
            sys.exit(1)
