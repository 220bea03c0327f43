"""Tests of the pyreload engine (see README in this directory)."""
