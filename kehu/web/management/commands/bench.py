"""`kehu bench [--size quick|full] [--database URL] [--out DIR]`: measure the performance
targets on a fresh dataset against a real `kehu serve` (see docs/benchmarks.md)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Benchmark Kehu on a generated dataset and write a JSON and a Markdown report."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["tiny", "quick", "full"], default="quick",
                            help="quick: 100,000 customers (<10 min); full: 1,000,000")
        parser.add_argument("--database", default=None,
                            help="database URL (default: a fresh SQLite file under --out); a "
                                 "PostgreSQL database is dropped and recreated, so its name "
                                 "must contain 'bench'")
        parser.add_argument("--out", default=None, help="output directory (default var/bench)")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--customers", type=int, default=None,
                            help="override the size's number of customers")
        parser.add_argument("--port", type=int, default=None, help="port on 127.0.0.1")
        parser.add_argument("--reuse", action="store_true",
                            help="keep an existing benchmark database of the same size")
        parser.add_argument("--only", default="",
                            help="comma-separated scenario names to measure")
        parser.add_argument("--soak", type=float, default=None, metavar="MINUTES",
                            help="instead of the per-scenario figures, a mixed read/write load "
                                 "for that many minutes: errors, p99 drift, memory growth")
        parser.add_argument("--summarize", nargs="+", metavar="JSON",
                            help="do not run: print earlier runs side by side (for "
                                 "docs/benchmarks.md)")

    def handle(self, *args, **options):
        from kehu.bench.dataset import BenchError
        from kehu.bench.runner import run

        if options["summarize"]:
            from kehu.bench import report

            results = [json.loads(Path(p).read_text()) for p in options["summarize"]]
            self.stdout.write(report.combined(results))
            return
        try:
            _result, _json_path, md_path = run(
                size=options["size"], database=options["database"], out=options["out"],
                seed=options["seed"], customers=options["customers"], port=options["port"],
                reuse=options["reuse"], soak_minutes=options["soak"],
                only=[s for s in options["only"].split(",") if s] or None,
                log=self.stdout.write)
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(md_path.read_text())
