"""Extensions, created unbound and initialised in ``create_app``."""

from flask_babel import Babel
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from portal.auth.oidc import PerAppOAuth
from portal.db import Base

db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
babel = Babel()
oauth = PerAppOAuth()  # the OIDC clients, per app (portal/auth/oidc.py)
