"""The import benchmark: a realistic customer spreadsheet of any size, and the time
`kehu import customers` takes on a fresh database.

    .venv/bin/python -m kehu.customers.imports.benchmark --rows 1000000 \\
        [--database sqlite:////tmp/kehu-import.sqlite3 | postgres://…/kehu_import_bench]

The file looks like what sales teams keep in Excel: Chinese headers, company names with legal
suffixes, mobile numbers without +86, Chinese labels for level and status, the owner's name,
tags, a primary contact for half the rows; and the usual dirt: stray and full-width spaces,
full-width letters, numbers Excel showed in scientific notation, bad email addresses, and
duplicates of earlier rows. Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time

HEADER = ["客户名称", "简称", "行业", "来源", "客户级别", "客户状态", "省份", "城市", "区县",
          "详细地址", "手机", "邮箱", "网址", "负责人", "标签", "联系人", "联系人手机",
          "联系人职务", "备注"]
LEVELS = ["A类", "B类", "C类", "D类", "", "重点客户", "a"]
STATUSES = ["潜在客户", "成交客户", "沉睡", "流失", "意向客户", ""]
TAGS = ["", "", "重点", "老客户", "展会,重点", "华东、VIP", "待跟进"]
TITLES = ["总经理", "采购经理", "销售总监", "技术负责人", "财务", "行政主管", "董事长"]


def write_csv(path: str, *, rows: int, seed: int, owners: list[str],
              encoding: str = "utf-8-sig") -> int:
    """Write `rows` data rows; returns the file's size in bytes."""
    from kehu.customers.dedup import name_key
    from kehu.demo.customers import customer_values
    from kehu.demo.pools import BRAND_CHARS, FREE_MAIL, MOBILE_PREFIXES, build_pools

    rng = random.Random(seed + 1)  # noqa: S311 - reproducible test data
    people = build_pools(seed).zh_people
    written: list[tuple[str, str]] = []
    names: set[str] = set()
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i, values in enumerate(customer_values(organization_id=1, owners=[], count=rows,
                                                   seed=seed)):
            (_org, _owner, _team, _kind, name, short_name, industry, source, _level, _status,
             province, city, district, address, phone, email, website, *_rest) = values
            mobile = phone.removeprefix("+86")
            # one organization's customers: distinct companies, each with its own domain
            while name_key(name) in names:
                extra = rng.choice(BRAND_CHARS)
                if short_name:
                    name = name.replace(short_name, short_name + extra, 1)
                    short_name += extra
                else:
                    name += extra
            names.add(name_key(name))
            if email and "@" in email and not email.endswith(FREE_MAIL):
                local, domain = email.split("@")
                email = f"{local}@{domain.split('.')[0]}{i}.com.cn"
            if website:
                website = f"https://www.{website.split('.')[1]}{i}.com.cn"
            roll = rng.random()
            if roll < 0.004:
                mobile = f"{int(mobile[:6]) / 100000:.5f}E+10"  # Excel lost the digits
            elif roll < 0.008:
                email = "没有邮箱" if email else "none@"
            elif roll < 0.03 and written:
                name, mobile = rng.choice(written[-5000:])  # a duplicate of an earlier row
            elif roll < 0.05:
                name = f" {name}　"  # stray and full-width spaces
            elif roll < 0.06:
                mobile = f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
            if len(written) < 5000 or rng.random() < 0.01:
                written.append((name, mobile))
            has_contact = rng.random() < 0.5
            writer.writerow([
                name, short_name, industry, source, rng.choice(LEVELS), rng.choice(STATUSES),
                province, city, district, address, mobile, email, website,
                rng.choice(owners) if owners and rng.random() < 0.8 else "",
                rng.choice(TAGS),
                rng.choice(people) if has_contact else "",
                f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10 ** 8):08d}" if has_contact
                else "",
                rng.choice(TITLES) if has_contact else "",
                "老客户转介绍" if i % 50 == 0 else "",
            ])
    return os.path.getsize(path)


def csv_to_xlsx(path: str) -> str:
    """The same rows as an Excel workbook next to the CSV file; returns its path."""
    from openpyxl import Workbook

    target = os.path.splitext(path)[0] + ".xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    workbook.save(target)
    return target


def raw_load(path: str, *, batch_size: int, encoding: str = "utf-8-sig") -> float:
    """The reference: the file's rows loaded as they are into a bare table (text columns, no
    index, no validation) in the same batches, one transaction each — COPY on PostgreSQL,
    executemany on SQLite. Returns the seconds it took; the table is dropped afterwards."""
    from django.db import connection, transaction

    table = "kehu_import_raw_reference"
    columns = [f"c{i}" for i in range(len(HEADER))]
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, "
                       + ", ".join(f"{c} text" for c in columns) + ")")

    def write(rows: list[list[str]]) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} (id, {', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {table} "  # noqa: S608 - our own names
                    f"VALUES ({', '.join(['%s'] * (len(columns) + 1))})", rows)

    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        batch: list[list[str]] = []
        for number, row in enumerate(reader, start=2):
            batch.append([number, *row[:len(columns)]])
            if len(batch) >= batch_size:
                write(batch)
                batch = []
        if batch:
            write(batch)
    seconds = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", default="sqlite:////tmp/kehu-import-bench.sqlite3")
    parser.add_argument("--file", default="/tmp/kehu-import-bench.csv")  # noqa: S108
    parser.add_argument("--reuse-file", action="store_true")
    parser.add_argument("--encoding", default="utf-8-sig", help="e.g. gb18030")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--raw", action="store_true",
                        help="also time loading the rows into a bare table (the reference)")
    args = parser.parse_args(argv)

    os.environ["KEHU_DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehu.config.settings.base")
    os.environ.setdefault("KEHU_MEDIA_ROOT", "/tmp/kehu-import-bench-media")  # noqa: S108
    if args.database.startswith("sqlite:///"):
        db_path = args.database.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db_path + suffix):
                os.unlink(db_path + suffix)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        if "bench" not in connection.settings_dict["NAME"]:
            sys.exit("Use a PostgreSQL database whose name contains 'bench': it is emptied.")
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    from kehu.demo.people import STAFF, create_people

    people = create_people(org_name="导入基准有限公司", slug="bench", admin_email="admin@bench.cn")
    owners = [name for _local, name, *_rest in STAFF][:4]
    if not (args.reuse_file and os.path.exists(args.file)):
        started = time.monotonic()
        size = write_csv(args.file, rows=args.rows, seed=args.seed, owners=owners,
                         encoding=args.encoding)
        print(f"wrote {args.rows:,} rows ({size / 1e6:.1f} MB) in "
              f"{time.monotonic() - started:.1f} s: {args.file}")
    size = os.path.getsize(args.file)
    started, cpu_started = time.monotonic(), time.process_time()
    command = ["import", "customers", args.file, "--org", people.organization.slug,
               "--batch-size", str(args.batch_size)]
    if args.profile:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(call_command, *command)
        pstats.Stats(profile).sort_stats("tottime").print_stats(40)
    else:
        call_command(*command)
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu_started
    from kehu.customers.imports import parallel

    if args.raw:
        raw = raw_load(args.file, batch_size=args.batch_size, encoding=args.encoding)
        print(f"raw load reference ({connection.vendor}, bare table, same batches): "
              f"{raw:.1f} s ({args.rows / raw:,.0f} rows/s); the import takes "
              f"{seconds / raw:.1f}× as long")

    print(f"{connection.vendor}: {args.rows:,} rows, {size / 1e6:.1f} MB, {seconds:.1f} s "
          f"({args.rows / seconds:,.0f} rows/s); CPU: importing process {cpu:.1f} s, reading "
          f"process {parallel.last_reader_cpu_seconds:.1f} s; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
