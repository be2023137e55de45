"""PostgreSQL: postings in a B-tree, in id order (see index.py), instead of the GIN index on
the entries' tsvector, which could not return the newest matches of a common token without
reading and sorting all of them. SQLite keeps FTS5 and has nothing to do."""

from django.db import migrations

FORWARD = [
    # kind = entry_id % 16, the object type: part of the key, so that "this token, this type,
    # newest first" is one ordered range the planner estimates right
    'CREATE TABLE IF NOT EXISTS search_posting ('
    'token text COLLATE "C" NOT NULL, kind smallint NOT NULL, entry_id bigint NOT NULL, '
    'PRIMARY KEY (token, kind, entry_id))',
    'INSERT INTO search_posting (token, kind, entry_id) '
    'SELECT unnest(tsvector_to_array(vector)), id %% 16, id FROM search_entry '
    'ON CONFLICT DO NOTHING',
    "DROP INDEX IF EXISTS search_entry_vector",
    "ANALYZE search_posting",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS search_entry_vector ON search_entry USING gin (vector)",
    "DROP TABLE IF EXISTS search_posting",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
