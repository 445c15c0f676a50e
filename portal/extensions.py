"""Extensions, created unbound and initialised in ``create_app``."""

from authlib.integrations.flask_client import OAuth
from flask_babel import Babel
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from portal.db import Base

db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
babel = Babel()
oauth = OAuth()
