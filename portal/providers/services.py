from __future__ import annotations

from flask import current_app

from portal.providers.base import ProviderClient
from portal.providers.skatteverket import Skatteverket


def skatteverket() -> Skatteverket:
    config = current_app.config["PORTAL"]
    return Skatteverket(
        ProviderClient("skatteverket", config.sandbox_url, config.sandbox_token, config.provider_timeout_seconds)
    )
