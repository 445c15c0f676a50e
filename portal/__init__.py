"""Egna utrymmet: the portal where a person applies for ekonomiskt bistånd.

This is the composition root. Its imports of the areas stay inside the functions below on purpose: every
``import portal.<area>`` runs this module first, so an area imported at the top here would be loaded by all
of them, and no area could be imported without the layers above it (tests/test_layers.py)."""

from __future__ import annotations

from flask import Flask

from portal.config import REPO_ROOT, Config

# imports inside functions: an area imported at the top here would load with every ``import portal.<area>``


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    config.validate()
    app = Flask(
        __name__,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
        instance_path=str(config.instance_path),
    )
    app.config.update(config.flask_settings())
    app.config["PORTAL"] = config
    config.instance_path.mkdir(parents=True, exist_ok=True)
    from portal.ops import logs

    logs.configure()  # JSON lines under `portal serve` and in production, else the plain text as before

    from portal.web import converters

    converters.register(app)
    _init_extensions(app, config)
    from portal.information.seal import load_or_create

    assert config.seal_key_path is not None  # Config.__post_init__ puts it in the instance folder by default
    app.extensions["portal.sealer"] = load_or_create(config.seal_key_path)
    _register_blueprints(app)
    _connect_layers(app)
    _register_hooks(app)
    from portal.web import limits, origin

    app.before_request(origin.refuse_cross_site)  # a second line behind CSRF tokens (issue 13, point 11)
    limits.install(app)  # rate limits by endpoint name, once every blueprint is registered (issue 13, point 2)
    config.check_secrets()  # production: no published demo secret anywhere, every secret strong
    return app


def _init_extensions(app: Flask, config: Config) -> None:
    from portal.extensions import babel, csrf, db, oauth
    from portal.i18n.services import select_locale

    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    oauth.init_app(app)
    from portal.auth import session

    session.init_app(app)  # sessions kept on the server; the cookie holds only their id
    from portal.auth.oidc import register_providers

    register_providers(app, oauth)  # the OIDC Sweden profile, per provider


def _register_blueprints(app: Flask) -> None:
    from portal.application.nextmonth_routes import bp as nextmonth_bp  # apply again for the next month
    from portal.case.contact import bp as contact_bp  # the applicant's contact details for notifications

    app.register_blueprint(contact_bp)
    app.register_blueprint(nextmonth_bp)

    from portal.api.blueprint import bp as api_bp
    from portal.application.routes import bp as application_bp
    from portal.archive import routes as _archive_routes  # noqa: F401  the case's archive package, on municipality's bp
    from portal.attachments.routes import bp as attachments_bp
    from portal.auth.routes import bp as auth_bp
    from portal.consent.routes import bp as consent_bp
    from portal.exchange.routes import bp as exchange_bp
    from portal.i18n.routes import bp as i18n_bp
    from portal.indication.routes import bp as indication_bp
    from portal.information.routes import bp as information_bp
    from portal.mandates.routes import bp as mandates_bp
    from portal.municipality.routes import bp as municipality_bp
    from portal.supplements.routes import bp as supplements_bp
    from portal.web.routes import bp as web_bp

    for bp in (
        web_bp,
        auth_bp,
        i18n_bp,
        application_bp,
        consent_bp,
        information_bp,
        supplements_bp,
        attachments_bp,
        indication_bp,
        exchange_bp,
        municipality_bp,
        api_bp,
        mandates_bp,
    ):
        app.register_blueprint(bp)
    from portal.case.routes import bp as case_bp  # the applicant's case pages

    app.register_blueprint(case_bp)
    from portal.delivery.routes import bp as delivery_bp  # administrators: inbox health, dead letters

    app.register_blueprint(delivery_bp)
    from portal.rights.routes import bp as rights_bp  # accessibility, privacy, who read my data (issue 18)

    app.register_blueprint(rights_bp)
    from portal.delgivning.routes import bp as delgivning_bp  # the municipality's print queue (issue 17)

    app.register_blueprint(delgivning_bp)
    from portal.appeal.routes import bp as appeal_bp  # appealing a decision, reconsidering, forwarding (issue 17)

    app.register_blueprint(appeal_bp)
    from portal.situation.routes import bp as situation_bp  # the applicant's situation and its documents (issue 16)

    app.register_blueprint(situation_bp)
    from portal.calculation.routes import bp as calculation_bp  # calculation lines, the decision explained (16, 17)

    app.register_blueprint(calculation_bp)
    from portal.submission.routes import bp as submission_bp  # the check page, signing, the receipt

    app.register_blueprint(submission_bp)
    from portal.ops.health import bp as ops_bp  # /ready and /metrics (issue 14)

    app.register_blueprint(ops_bp)


def _connect_layers(app: Flask) -> None:
    """What a lower layer calls in a higher one, handed down here so that no module imports upwards
    (the layers: README.md, "Working on it"; the contract: pyproject.toml [tool.importlinter])."""
    from portal.appeal import signing as appeal_signing
    from portal.application import context
    from portal.auth import signing
    from portal.case import contact, overview
    from portal.case import services as case_services
    from portal.delivery.services import enqueue
    from portal.mandates.routes import GRANT_KEY, finish_grant
    from portal.submission import services as submission
    from portal.submission import signing as submission_signing

    # Back from the identity provider's step-up: granting a mandate, signing an appeal, an application.
    signing.on_return(GRANT_KEY, finish_grant)
    signing.on_return(appeal_signing.SESSION_KEY, appeal_signing.finish)
    signing.on_return(submission_signing.SESSION_KEY, submission_signing.finish_signing)
    # The signing pages (templates/auth/_signature_notice.html) show what the OP will show.
    app.jinja_env.globals["sign_message_for"] = submission_signing.sign_message_for
    # A sent application's outbox record, written in the submission's transaction.
    submission.hand_over_with(enqueue)
    submission.notify_with(case_services.notify)
    # The application's pages show the sent document, whether the applicant can be notified, and
    # (the overview) what each sent application's case needs.
    context.provides("frozen", submission.frozen_document)
    context.provides("has_contact", contact.has_contact)
    context.provides_overview("attention", lambda applications: overview.attention_for([a.id for a in applications]))


def _register_hooks(app: Flask) -> None:
    from portal.auth.session import load_actor
    from portal.web import assets, errors, templating
    from portal.web.security import security_headers

    app.before_request(load_actor)
    app.before_request(errors.enforce_access)
    app.after_request(security_headers)
    errors.register(app)
    templating.register(app)
    assets.register(app)  # static files kept by browsers until they change
    from portal.ops import logs

    logs.init_app(app)  # request id, access line, request metrics (after load_actor: it makes the id)
