"""The CLV fits' convergence rule (``ecomdash.clv._optim.at_optimum``) case by case: L-BFGS-B's
own verdict, or a failed search whose largest gradient component is below 1e-6. Small and fast:
mutation testing runs it for every mutant of the rule."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from ecomdash.clv._optim import at_optimum


def _res(success, jac):
    return optimize.OptimizeResult(success=success, jac=np.asarray(jac, dtype=float))


@pytest.mark.parametrize(
    ("success", "jac", "want"),
    [
        (True, [1.0, -3.0], True),  # the optimiser's verdict, whatever the gradient
        (np.bool_(True), [5.0], True),
        (False, [2e-8, -3e-9, 0.0], True),  # a failed line search at the optimum
        (False, [0.0, -1e-6], False),  # exactly the tolerance is not below it
        (False, [9.9e-7, -9.9e-7], True),  # just below, either sign
        (False, [-1e-3, 1e-9], False),  # a large negative component counts by its size
        (False, [1e-9, 5e-4], False),  # the largest component, not the first
        (np.bool_(False), [3e-7], True),
    ],
)
def test_at_optimum_case_by_case(success, jac, want):
    got = at_optimum(_res(success, jac))
    assert got is want  # a Python bool, as the fits' ``converged`` fields are


def test_at_optimum_on_real_lbfgsb_results():
    # a quadratic bowl with its minimum at (1, -2): L-BFGS-B succeeds
    def bowl(v):
        d = v - np.array([1.0, -2.0])
        return float(d @ d), 2 * d

    res = optimize.minimize(bowl, [5.0, 5.0], jac=True, method="L-BFGS-B")
    assert res.success and at_optimum(res) is True
    np.testing.assert_allclose(res.x, [1.0, -2.0], atol=1e-6)
    # Rosenbrock stopped after 2 iterations: failed, gradient far from zero (by hand at the
    # start (-1.2, 1): d/dx = -2(1 - x) - 400 x (y - x^2) = -215.6)
    assert optimize.rosen_der(np.array([-1.2, 1.0]))[0] == pytest.approx(-215.6)
    res = optimize.minimize(
        optimize.rosen,
        [-1.2, 1.0],
        jac=optimize.rosen_der,
        method="L-BFGS-B",
        options={"maxiter": 2},
    )
    assert not res.success and at_optimum(res) is False
