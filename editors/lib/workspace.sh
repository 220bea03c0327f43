# Shared by the Emacs and Vim end-to-end tests (sourced, not run):
# web_workspace DIR copies editors/fixtures to DIR with a loopback web app as
# its entry (editors/lib/web); `python3 app_says.py DIR` prints what it serves.
lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

web_workspace() {
  cp -r "$lib/../fixtures" "$1"
  cp -r "$lib/web/." "$1"
  rm -f "$1/.port"
  # project.el (Emacs) finds the root by its version control.
  git -C "$1" init -q
}

