"""Passwords at the edge of the rules: a zxcvbn score of exactly 3, three-letter words of the
user's own data, and each refusal's field and words."""

from __future__ import annotations

from promtel_fin.domain.passwords import _user_words, password_problems

from .test_boundaries import translated


def shown(password: str, user_inputs: tuple = (), **kwargs: str) -> list[tuple]:
    reasons = password_problems(password, user_inputs, **kwargs)
    assert translated(*(r.template for r in reasons)), [r.template for r in reasons]
    return [(r.code, r.field, str(r)) for r in reasons]


def test_a_score_of_exactly_three_is_enough() -> None:
    assert shown("tortugarapida9") == []           # zxcvbn scores it 3 of 4


def test_each_refusal_names_the_password_field_and_says_why() -> None:
    assert shown("Contraseña2026!") == [
        ("password_common", "password",
         "This password is among the most used ones; choose another.")]
    assert shown("aaaaaaaaaaaaaaaa", field="new_password") == [
        ("password_guessable", "new_password",
         "This password is easy to guess (a common word, a sequence, a date or your own data); "
         "use a phrase of several unrelated words.")]


def test_the_users_data_is_split_into_the_words_a_guesser_would_try() -> None:
    assert _user_words(["Ana.Ruiz@Sol.mx", None, "", " TSI190312AB3 ", "Al_Bo"]) == [
        "ana.ruiz@sol.mx", "ana.ruiz", "sol.mx", "ana", "ruiz", "sol",
        "tsi190312ab3", "tsi190312ab3", "al_bo"]
