;;; helpers.el --- shared by the Emacs end-to-end tests -*- lexical-binding: t; -*-

;; Loaded by e2e.el (eglot) and lsp-mode.el: Debian's elpa packages, the
;; workspace and the checks.  Each check prints "ok NAME" or "not ok NAME: why".

;;; Code:

(require 'package)
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)                    ; Debian's elpa-eglot (emacs -Q skips its site-start)
(add-to-list 'load-path (expand-file-name ".." (file-name-directory load-file-name)))
(require 'pyreload)
(require 'subr-x)

(defvar e2e-root (file-name-as-directory (getenv "PYRELOAD_TEST_ROOT")))
(defvar e2e-says (list "/usr/bin/python3" (expand-file-name "app_says.py" (getenv "PYRELOAD_TEST_LIB")) e2e-root))
(defvar e2e-failed 0)

(defun e2e-check (name ok why)
  "Print whether check NAME passed (OK), else WHY."
  (unless ok (setq e2e-failed (1+ e2e-failed)))
  (princ (if ok (format "ok %s\n" name) (format "not ok %s: %s\n" name why)))
  ok)

(defun e2e-wait (cond secs)
  "Process events until COND returns non-nil or SECS pass; return COND's value."
  (let ((deadline (+ (float-time) secs)) v)
    (while (and (not (setq v (funcall cond))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    v))

(defun e2e-says ()
  "What the app serves."
  (with-temp-buffer
    (apply #'call-process (car e2e-says) nil t nil (cdr e2e-says))
    (string-trim (buffer-string))))

;;; helpers.el ends here
