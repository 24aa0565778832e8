"""Test configuration: a non-interactive plotting backend for every test."""

import matplotlib

matplotlib.use("Agg")
