from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "doc, tokenize = 'unicode61 remove_diacritics 0', detail = 'none')",
]
POSTGRES = [
    "CREATE TABLE IF NOT EXISTS search_entry ("
    "id bigint PRIMARY KEY, organization_id bigint NOT NULL, vector tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_entry_vector ON search_entry USING gin (vector)",
    "CREATE INDEX IF NOT EXISTS search_entry_org ON search_entry (organization_id)",
]


def create(apps, schema_editor):
    for statement in POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    table = "search_entry" if schema_editor.connection.vendor == "postgresql" else "search_fts"
    schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create, drop)]
