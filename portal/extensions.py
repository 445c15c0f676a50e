"""Extensions, created unbound and initialised in ``create_app``."""

from authlib.integrations.flask_client import OAuth
from flask import current_app, has_app_context
from flask_babel import Babel
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from portal.db import Base


class PerAppOAuth(OAuth):
    """Authlib's Flask registry, with its clients kept per application."""

    def _state(self) -> tuple[dict, dict]:
        # current_app is a LocalProxy, typed as the Flask app it stands for.
        app = current_app._get_current_object() if has_app_context() else self.app  # pyright: ignore[reportAttributeAccessIssue]
        if app is None:
            return self.__dict__.setdefault("_unbound", ({}, {}))
        return app.extensions.setdefault("portal.oauth_clients", ({}, {}))

    @property
    def _registry(self) -> dict:
        return self._state()[0]

    @_registry.setter
    def _registry(self, value) -> None:  # set by Authlib's __init__; the real ones are per app
        pass

    @property
    def _clients(self) -> dict:
        return self._state()[1]

    @_clients.setter
    def _clients(self, value) -> None:
        pass


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
babel = Babel()
oauth = PerAppOAuth()  # the OIDC clients, per app (portal/auth/oidc.py)
