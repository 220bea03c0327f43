// Package project reads what a Python project declares about itself, as
// Python's own tools do, without running them: its root (the nearest
// pyproject.toml, setup.py, setup.cfg or .git), the directories to put on
// sys.path (the root, a src layout, the paths setting, pytest's
// pythonpath), and its interpreter (the pythonPath setting, VIRTUAL_ENV, a
// .venv or venv in the root, poetry's, pipenv's and uv's environments, an
// activated conda environment; else pyreload's embedded CPython).
package project
