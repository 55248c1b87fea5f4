"""Which new passwords are accepted, and how long an account waits after failures."""

from __future__ import annotations

import pytest

from promtel_fin.domain.passwords import common_passwords, password_problems
from promtel_fin.domain.throttle import Backoff

OWN_DATA = ("contacto@redes-sierra.mx", "Luz Gómez", "Redes de la Sierra, S.A. de C.V.",
            "CSA190312AB2")


def _codes(password: str, user_inputs: tuple[str, ...] = OWN_DATA) -> list[str]:
    return [r.code for r in password_problems(password, user_inputs)]


def test_eleven_characters_are_too_few_and_twelve_are_enough() -> None:
    assert _codes("Xq7-Vb2#Lm9") == ["password_short"]
    assert _codes("Xq7-Vb2#Lm9w") == []


@pytest.mark.parametrize("password", ["contraseña1234", "Contraseña2026!", "password1234",
                                      "qwertyuiop12", "Te-Amo-Mucho-2026"])
def test_a_common_password_is_refused(password: str) -> None:
    assert _codes(password) == ["password_common"]


@pytest.mark.parametrize("password", ["contacto@redes-sierra.mx", "CSA190312AB2-2026",
                                      "redes-sierra.mx"])
def test_a_password_made_of_the_users_own_data_is_refused(password: str) -> None:
    assert _codes(password) == ["password_guessable"]


def test_a_guessable_password_is_refused_even_without_the_users_data() -> None:
    assert _codes("aaaaaaaaaaaaaaaa", ()) == ["password_guessable"]
    assert _codes("1234567890abcdefgh", ()) == ["password_guessable"]


@pytest.mark.parametrize("password", ["Cenote-Pinata-Grillo-58", "tapete volcán brújula marea",
                                      "Garza-Mezcal-Columpio-64"])
def test_a_strong_password_is_accepted(password: str) -> None:
    assert _codes(password) == []


def test_a_very_long_password_is_judged_quickly_and_without_error() -> None:
    assert _codes("Cenote-Pinata-Grillo-58 " * 40) == []
    assert _codes("a" * 1000) == ["password_guessable"]


def test_the_reasons_are_our_own_templates_naming_the_field() -> None:
    (short,) = password_problems("corta", field="new_password")
    assert (short.field, short.params) == ("new_password", {"length": 12})
    assert short.template == "The password must have at least {length} characters."


def test_the_shipped_list_has_spanish_and_english_passwords() -> None:
    assert {"contraseña", "teamo", "password", "qwerty"} <= common_passwords()


@pytest.mark.parametrize(("failures", "seconds"), [
    (0, 0), (1, 0), (3, 0), (4, 2), (5, 4), (6, 8), (8, 32), (9, 60), (50, 60), (10**6, 60)])
def test_failures_beyond_the_free_ones_wait_twice_as_long_each_up_to_the_cap(
        failures: int, seconds: int) -> None:
    assert Backoff(free=3, max_seconds=60).delay(failures) == seconds
