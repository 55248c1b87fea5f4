"""HTTP helpers for the API tests."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from promtel_fin.models import User

from ..efirma_helpers import pki
from ..factories import Factory


class ApiClient:
    """Call the JSON API as a given user (bearer token made by the factory)."""

    def __init__(self, client: FlaskClient, make: Factory):
        self.client = client
        self.make = make
        self._tokens: dict[int, str] = {}

    def headers(self, user: User | None, lang: str | None = None) -> dict[str, str]:
        headers = {}
        if user is not None:
            if user.id not in self._tokens:
                self._tokens[user.id] = self.make.token(user)
            headers["Authorization"] = f"Bearer {self._tokens[user.id]}"
        if lang:
            headers["Accept-Language"] = lang
        return headers

    def request(self, method: str, path: str, user: User | None = None, *,
                json: Any = None, lang: str | None = None, query: Any = None) -> TestResponse:
        return self.client.open(f"/api/v1{path}", method=method, json=json, query_string=query,
                                headers=self.headers(user, lang))

    def get(self, path: str, user: User | None = None, **kw: Any) -> TestResponse:
        return self.request("GET", path, user, **kw)

    def post(self, path: str, user: User | None = None, **kw: Any) -> TestResponse:
        return self.request("POST", path, user, **kw)

    def patch(self, path: str, user: User | None = None, **kw: Any) -> TestResponse:
        return self.request("PATCH", path, user, **kw)

    def efirma(self, proposal_id: int, user: User) -> dict[str, str]:
        """A good e.firma signature, base64, of the agreement as the API answers it."""
        agreement = self.get(f"/proposals/{proposal_id}/agreement", user)
        if agreement.status_code != 200:
            return {}
        proposal = self.get(f"/proposals/{proposal_id}", user).json
        rfc = proposal["company"]["rfc"] if user.role == "sme" else user.rfc
        return pki().sign_params(agreement.json["cadena_original"], pki().certificate(rfc))

    def act(self, proposal_id: int, user: User, action: str, lang: str | None = None,
            **params: Any) -> TestResponse:
        """Take an action with the version the user reads right now."""
        current = self.get(f"/proposals/{proposal_id}", user)
        version = current.json["version"] if current.status_code == 200 else 1
        if (action == "sign" and current.status_code == 200 and "certificate" not in params
                and "signature" not in params):
            params.update(self.efirma(proposal_id, user))
        return self.post(f"/proposals/{proposal_id}/transitions", user,
                         json={"action": action, "version": version, **params}, lang=lang)


@pytest.fixture
def api(client: FlaskClient, make: Factory) -> ApiClient:
    return ApiClient(client, make)
