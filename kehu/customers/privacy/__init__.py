"""Requests about one person's personal data (PIPL / GDPR): find it, export it, erase it.
See services.py for what erasure does and docs/operations.md for how admins use it."""
