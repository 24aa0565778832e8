"""bayes_ldn: Bayesian reanalysis of randomized trials of low-dose naltrexone, and trials like them."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bayes_ldn")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
