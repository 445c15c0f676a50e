"""Alembic environment: the database URL comes from the portal's configuration."""

from alembic import context
from sqlalchemy import create_engine

import portal.appeal.models  # noqa: F401
import portal.application.models  # noqa: F401  (register tables)
import portal.attachments.models  # noqa: F401
import portal.audit.models  # noqa: F401
import portal.auth.models  # noqa: F401
import portal.calculation.models  # noqa: F401
import portal.case.models  # noqa: F401
import portal.consent.models  # noqa: F401
import portal.delgivning.models  # noqa: F401
import portal.delivery.models  # noqa: F401
import portal.information.models  # noqa: F401
import portal.mandates.models  # noqa: F401
import portal.rights.models  # noqa: F401
import portal.situation.models  # noqa: F401
import portal.submission.models  # noqa: F401
import portal.supplements.models  # noqa: F401
from portal.db import Base


def run() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:  # the portal's own runner (portal/db) always sets it
        raise RuntimeError("alembic: sqlalchemy.url is not set")
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
