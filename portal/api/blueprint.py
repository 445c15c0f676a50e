"""The municipality API's blueprint with all its routes: the inbox's (``routes``, where ``bp`` is made), the
case operations (``cases``), the calculation lines (``lines``) and the appeals (``appeals``), each of which
registers its routes on ``bp`` when imported. The app registers this one."""

from __future__ import annotations

from portal.api import appeals, cases, lines  # noqa: F401  (imported for their routes)
from portal.api.routes import bp

__all__ = ["bp"]
