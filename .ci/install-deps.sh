#!/usr/bin/env bash
# Installs what building and testing pyreload needs on Debian, when missing:
# CPython's embedding headers, pkg-config, Neovim, Emacs + eglot, Vim + ALE
# (editor tests), IPython's kernel (Jupyter test), venv (the wheel's test). As root it
# uses apt-get; otherwise it says what to install and fails.
#   --build-only  just what building needs (make demo)
#   --bench       also IPython, which the benchmarks compare against (make bench)
set -euo pipefail
need=()
command -v pkg-config >/dev/null || need+=(pkg-config)
[ "${1:-}" = "--build-only" ] || command -v pyflakes3 >/dev/null || need+=(pyflakes3)
pkg-config --exists python3-embed 2>/dev/null || need+=(python3-dev)
if [ "${1:-}" != "--build-only" ]; then
  command -v nvim >/dev/null || need+=(neovim)
  # Emacs (eglot, lsp-mode) and Vim (ALE) end-to-end tests (editors/emacs, editors/vim).
  command -v emacs >/dev/null || need+=(emacs-nox)
  ls -d /usr/share/emacs/site-lisp/elpa-src/eglot-* >/dev/null 2>&1 || need+=(elpa-eglot)
  ls -d /usr/share/emacs/site-lisp/elpa-src/lsp-mode-* >/dev/null 2>&1 || need+=(elpa-lsp-mode)
  command -v vim >/dev/null || need+=(vim)
  [ -d /usr/share/vim/vimfiles/pack/dist-bundle/opt/ale ] || need+=(vim-ale)
  # The Jupyter attach test (a real IPython kernel) and the wheel's venv test.
  /usr/bin/python3 -c "import ipykernel, jupyter_client" 2>/dev/null || need+=(python3-ipykernel python3-jupyter-client)
  /usr/bin/python3 -c "import ensurepip, venv" 2>/dev/null || need+=(python3-venv)
  command -v git >/dev/null || need+=(git)
  # Framework adapters' real-app tests (issue 11): Flask, SQLAlchemy, Flask-SQLAlchemy.
  /usr/bin/python3 -c "import flask, sqlalchemy, flask_sqlalchemy" 2>/dev/null || need+=(python3-flask python3-sqlalchemy python3-flask-sqlalchemy)
  # FastAPI/Starlette (uvicorn, httpx for TestClient), pydantic v1 and aiohttp tests (fw_*).
  /usr/bin/python3 -c "import fastapi, starlette, uvicorn, httpx, pydantic, aiohttp" 2>/dev/null || need+=(python3-fastapi python3-starlette python3-uvicorn python3-httpx python3-pydantic python3-aiohttp)
  # Django, Celery (eager, no broker), click, attrs.
  /usr/bin/python3 -c "import django, celery, click, attr" 2>/dev/null || need+=(python3-django python3-celery python3-click python3-attr)
fi
# Tests make real virtual environments (python3 -m venv).
[ "${1:-}" = "--build-only" ] || /usr/bin/python3 -c "import venv, ensurepip" 2>/dev/null || need+=(python3-venv)
if [ "${1:-}" = "--bench" ]; then
  /usr/bin/python3 -c "import IPython.extensions.autoreload" 2>/dev/null || need+=(python3-ipython)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "pyreload: missing ${need[*]}; install them: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "pyreload: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
