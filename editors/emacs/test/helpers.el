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

(defvar e2e-ready nil "The last pyreload/status \"ready\".")
(add-hook 'pyreload-status-functions
          (lambda (st) (when (equal (plist-get st :state) "ready") (setq e2e-ready st))))

(defun e2e-app-ready ()
  "Check that the root's interpreter is ready and the app serves."
  (e2e-check "pyreload/status ready and the app serves"
             (and (e2e-wait (lambda () e2e-ready) 120)
                  (e2e-wait (lambda () (file-exists-p (expand-file-name ".port" e2e-root))) 60)
                  (equal (e2e-says) "hello from shop"))
             (format "ready=%S says=%S" e2e-ready (ignore-errors (e2e-says)))))

(defun e2e-edit-and-save (buf)
  "Edit shop/core.py's greeting in BUF and save it."
  (with-current-buffer buf
    (goto-char (point-min))
    (search-forward "hello from shop")
    (replace-match "hello, edited" t t)
    (save-buffer)))

(defun e2e-after-rebind (stale)
  "Check that the rebind cleared (STALE) and the app serves the new code."
  (e2e-check "the rebind clears the diagnostic"
             (e2e-wait (lambda () (null (funcall stale))) 30)
             (format "%S" (funcall stale)))
  (e2e-check "the app serves the new code"
             (e2e-wait (lambda () (equal (e2e-says) "hello, edited")) 30)
             (e2e-says)))

(defun e2e-main (run)
  "Call RUN (which may `cl-return-from' its block e2e-run), then exit with the result."
  (condition-case err
      (cl-block e2e-run (funcall run))
    (error (e2e-check "no error" nil (error-message-string err))))
  (princ "done\n")
  (kill-emacs (if (> e2e-failed 0) 1 0)))

;;; helpers.el ends here
