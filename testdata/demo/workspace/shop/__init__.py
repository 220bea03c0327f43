"""A tiny shop package for the pyreload demo."""
