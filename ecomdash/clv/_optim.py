"""What the CLV fits call converged."""

from __future__ import annotations

import numpy as np
from scipy import optimize

#: largest gradient component (of the mean log-likelihood per customer, in log parameters)
#: taken as an optimum when L-BFGS-B itself reports a failure
GRADIENT_TOL = 1e-6


def at_optimum(res: optimize.OptimizeResult) -> bool:
    """L-BFGS-B's success, or its failed line search *at* the optimum (gradient ~1e-8): there
    the last bit of the data's sums decides which start wins, not the fit's quality."""
    return bool(res.success) or float(np.max(np.abs(res.jac))) < GRADIENT_TOL
