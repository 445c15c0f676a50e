"""The migrations make exactly the schema the models describe, on the test database's dialect:
a model changed without its migration (or the reverse) fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.db import Base
from portal.extensions import db


def _relevant(diff) -> bool:
    # SQLite cannot tell a JSON column's type apart from its storage; such type echoes are not drift.
    return not (isinstance(diff, list) and diff and diff[0][0] == "modify_type" and db.engine.dialect.name == "sqlite")


def test_models_and_migrations_agree(app):
    import portal.migrations  # noqa: F401  (the package; env.py is not imported: it runs migrations)

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        differences = [d for d in compare_metadata(context, Base.metadata) if _relevant(d)]
    assert differences == []
