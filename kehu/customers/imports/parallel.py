"""Reading and validating a large file in a helper process while this one writes.

Parsing a row (cells, normalizers, validation) is pure Python and about half an import's
work; on a machine with two cores it can run next to the writing. The helper process gets
the parser (pickled, with everything it loaded from the database) and the way to read the
file, reads and parses the rows, and sends them back in chunks; decisions (duplicates,
permissions) and all writes stay in this process, in file order.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import time
from collections.abc import Iterator
from typing import Any

MIN_ROWS = 50_000  # smaller files: starting a process costs more than it saves
CHUNK = 1000
# CPU seconds the helper process of the last import in this process used (for benchmarks)
last_reader_cpu_seconds = 0.0


def worth_it(total_rows: int | None) -> bool:
    return bool(total_rows and total_rows >= MIN_ROWS and (os.cpu_count() or 1) > 1)


def parsed_rows(*, path: str, table: Any, parser: Any,
                language: str | None = None) -> Iterator[tuple[int, list, Any, str]]:
    """(number, cells, parsed row or None, reason) for every data row of the file."""
    from django.conf import settings

    from kehu.customers.imports.reading import UnreadableFile
    from kehu.customers.imports.rows import ParsedRow

    spec = {"kind": table.kind, "encoding": table.encoding, "delimiter": table.delimiter,
            "header_row": table.header_row, "headers": list(table.headers),
            "epoch": table.epoch}
    context = multiprocessing.get_context("forkserver")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_work, daemon=True,
        args=(sender, os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE,
              language, path, spec,
              pickle.dumps(parser, protocol=pickle.HIGHEST_PROTOCOL)))
    process.start()
    sender.close()
    try:
        while True:
            try:
                message = pickle.loads(receiver.recv_bytes())  # noqa: S301 - our own child
            except EOFError as exc:
                raise RuntimeError("the import's reading process stopped") from exc
            if isinstance(message, tuple):
                kind, text = message
                if kind == "done":
                    global last_reader_cpu_seconds
                    last_reader_cpu_seconds = text
                    break
                raise UnreadableFile(text) if kind == "unreadable" else RuntimeError(text)
            for number, cells, fields, reason in message:
                yield number, cells, ParsedRow(number, cells, *fields) if fields else None, \
                    reason
    finally:
        receiver.close()
        if process.is_alive():
            process.terminate()
        process.join()


def _work(sender, settings_module: str, language: str | None, path: str,
          spec: dict[str, Any], parser_blob: bytes) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.utils import translation

    from kehu.customers.imports.reading import Table, UnreadableFile
    from kehu.customers.imports.rows import RowRejected

    if language:
        translation.activate(language)
    gc.disable()  # collected once per chunk (see bulk.collect_per_batch)
    parser = pickle.loads(parser_blob)  # noqa: S301 - our own process sent it
    def opener():
        return open(path, "rb")

    table = Table(opener=opener, **spec)
    chunk: list[tuple] = []
    try:
        for number, cells in table.rows():
            try:
                row = parser.parse(number, cells)
            except RowRejected as exc:
                chunk.append((number, cells, None, exc.reason))
            else:
                chunk.append((number, cells, (row.values, row.custom, row.custom_input,
                                              row.owner_given, row.owner_id, row.tags,
                                              row.contact, row.keys, row.customer_name), ""))
            if len(chunk) >= CHUNK:
                sender.send_bytes(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
                chunk = []
                gc.collect(1)
        if chunk:
            sender.send_bytes(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
        sender.send_bytes(pickle.dumps(("done", time.process_time())))
    except UnreadableFile as exc:
        sender.send_bytes(pickle.dumps(("unreadable", exc.message)))
    except Exception as exc:  # reported in the importing process
        sender.send_bytes(pickle.dumps(("error", f"{type(exc).__name__}: {exc}")))
    finally:
        sender.close()
