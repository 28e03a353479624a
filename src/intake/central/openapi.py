"""The published OpenAPI document (``docs/openapi.json``), generated from the app itself."""

from __future__ import annotations

import json

from sqlalchemy import create_engine


def spec() -> dict:
    from intake.central.app import create_app
    from intake.central.service import CentralService

    # The spec does not depend on the database; an unopened in-memory engine is enough.
    return create_app(CentralService(create_engine("sqlite://"))).openapi()


def spec_text() -> str:
    return json.dumps(spec(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
