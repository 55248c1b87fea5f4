"""The stress scenarios' own limits: multipliers never below zero, delays from 0 to 2 years,
zeros that do not count as a change of sign, and debt service of less than a peso."""

from __future__ import annotations

import numpy as np

from promtel_fin.domain.stress import Uncertainty, _min_dscr, _sign_changes, draw


def test_drawn_multipliers_are_centred_on_one_and_never_below_zero() -> None:
    shocks = draw(20_000, 11, Uncertainty(revenue_sd=2.0, cost_sd=2.0, rate_sd=0.01,
                                          mean_delay_years=0.25))
    for multiplier in (shocks.revenue, shocks.cost):
        assert multiplier.min() == 0.0 and (multiplier == 0.0).mean() > 0.25
    calm = draw(20_000, 11, Uncertainty(revenue_sd=0.1, cost_sd=0.1, rate_sd=0.01))
    for multiplier in (calm.revenue, calm.cost):
        assert abs(multiplier.mean() - 1.0) < 0.01
    assert abs(calm.rate_shift.mean()) < 0.001


def test_revenue_delays_run_from_zero_to_two_years() -> None:
    long = draw(5_000, 3, Uncertainty(mean_delay_years=5.0)).delay_years
    assert long.max() == 2.0 and (long == 2.0).mean() > 0.5
    short = draw(5_000, 3, Uncertainty(mean_delay_years=0.5)).delay_years
    assert short.min() >= 0.0 and 0.0 < np.median(short) < 1.0
    assert (draw(10, 3, Uncertainty(mean_delay_years=0.0)).delay_years == 0.0).all()


def test_zeros_between_flows_are_not_changes_of_sign() -> None:
    signs = np.sign(np.array([[-1.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 1.0],
                              [1.0, 0.0, 0.0, -1.0], [0.0, -1.0, 0.0, 1.0],
                              [1.0, -1.0, 1.0, -1.0]]))
    assert _sign_changes(signs).tolist() == [1, 0, 1, 1, 3]


def test_debt_service_under_a_peso_still_counts_and_none_gives_no_dscr() -> None:
    cfads = np.array([[1.0, 1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0, 1.0]])
    service = np.array([[0.5, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
    low = _min_dscr(cfads, service)
    assert low[0] == 2.0 and np.isnan(low[1])
