"""FAKE top-level package of sublimelsp/LSP for the LSP-pyreload tests."""
