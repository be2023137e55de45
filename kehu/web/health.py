"""/healthz: is the process up and can it reach its database?"""

from __future__ import annotations

import time

from django.db import connection
from django.http import JsonResponse


def healthz(request):
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"status": "ok", "vendor": connection.vendor,
                    "latency_ms": round((time.perf_counter() - started) * 1000, 2)}
        status = 200
    except Exception as exc:  # any failure to reach the database is the answer
        database = {"status": "error", "vendor": connection.vendor, "error": str(exc)[:200]}
        status = 503
    return JsonResponse({"status": "ok" if status == 200 else "degraded",
                         "database": database}, status=status)
