"""Backup, restore and the organization data export (`kehu backup`, `kehu restore`,
`kehu export_organization`). A plain package: no models, no app registration.

    archive.py   the backup archive: database snapshot + media + manifest.json, and restore
    checksums.py row counts and checksums per table, read the same way at backup and restore
    postgres.py  pg_dump / pg_restore arguments and environment from settings.DATABASES
    export.py    one organization's rows as CSV files (and its uploaded files) in a zip
"""
