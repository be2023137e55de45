"""Importing customers and contacts from CSV and XLSX files as Excel and WPS write them.

    reading.py    open a file: encoding, delimiter, header row, rows with their numbers
    mapping.py    which column goes to which field (guessed, adjustable, saved as templates)
    cells.py      tolerant cleaning of real-world cells (phones, dates, widths, spaces)
    rows.py       one row → validated values, with the services' own rules
    bulk.py       decide per row (create, update, skip, reject) and write in batches, with
                  the audit log, the search index and the job's progress
    tables.py     fast inserts of plain rows
    parallel.py   large files: reading and validating in a helper process
    report.py     the downloadable report of rejected rows
    services.py   upload, configure, start, cancel, run; selectors.py: jobs, preview
    jobs.py       the background job
    benchmark.py  a realistic million-row file and the time `kehu import` takes on it
"""
