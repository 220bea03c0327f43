;;; e2e.el --- pyreload with Emacs + eglot end to end -*- lexical-binding: t; -*-

;; Run by ../test.sh: emacs -Q --batch -l test/e2e.el.  Debian's emacs-nox and
;; elpa-eglot, the real `pyreload serve' ($PYRELOAD_BIN), the workspace
;; $PYRELOAD_TEST_ROOT (editors/fixtures with a web app as its entry,
;; editors/lib).  Each check prints "ok NAME" or "not ok NAME: why"; the last
;; line is "done".

;;; Code:

(load (expand-file-name "helpers.el" (file-name-directory load-file-name)) nil t)

(setq pyreload-program (getenv "PYRELOAD_BIN"))
(pyreload-eglot-setup)
(add-hook 'python-mode-hook #'eglot-ensure)
(setq eglot-sync-connect t
      python-indent-guess-indent-offset nil
      make-backup-files nil)

(defun e2e-open (rel)
  "Visit REL under the root as a user does: python-mode, then eglot."
  (let ((buf (find-file-noselect (expand-file-name rel e2e-root))))
    (with-current-buffer buf
      (run-hooks 'post-command-hook))   ; eglot-ensure connects after a command
    buf))

(defun e2e-stale (buf)
  "The stale-import Flymake diagnostics of BUF."
  (with-current-buffer buf
    (flymake-start)
    (cl-remove-if-not
     (lambda (d)
       (equal "stale-import"
              (plist-get (cdr (assoc 'eglot-lsp-diag (flymake-diagnostic-data d))) :code)))
     (flymake-diagnostics))))

(defvar e2e-reports nil)
(add-hook 'pyreload-report-functions (lambda (r) (push r e2e-reports)))

(defun e2e-run ()
  (let ((views (e2e-open "app/views.py")) core offered)
    (unless (e2e-check "eglot runs pyreload serve for the buffer"
                       (with-current-buffer views (eglot-current-server))
                       "no eglot server")
      (cl-return-from e2e-run))
    (unless (e2e-app-ready)
      (cl-return-from e2e-run))
    (setq core (e2e-open "shop/core.py"))
    (e2e-edit-and-save core)
    (let ((stale (e2e-wait (lambda () (e2e-stale views)) 60)))
      (unless (e2e-check "stale-import on the import line after saving"
                         (and stale (with-current-buffer views
                                      (= 2 (line-number-at-pos (flymake-diagnostic-beg (car stale))))))
                         (format "%S" (with-current-buffer views (flymake-diagnostics))))
        (cl-return-from e2e-run)))
    (e2e-check "the app still runs the old hello" (equal (e2e-says) "hello from shop") (e2e-says))
    (with-current-buffer views
      (goto-char (point-min))
      (forward-line 1)
      ;; M-x eglot-code-actions on the line, answering the menu with the rebind.
      (cl-letf (((symbol-function 'completing-read)
                 (lambda (_prompt items &rest _)
                   (setq offered (mapcar #'car items))
                   (seq-find (lambda (title) (string-prefix-p "Rebind" title)) offered))))
        (let ((last-nonmenu-event 13))
          (eglot-code-actions (line-beginning-position) (line-end-position) nil t))))
    (e2e-check "eglot-code-actions offers rebind, patch and reload dependents"
               (and (seq-find (lambda (s) (string-prefix-p "Rebind `hello`" s)) offered)
                    (seq-find (lambda (s) (string-prefix-p "Patch old" s)) offered)
                    (seq-find (lambda (s) (string-prefix-p "Reload app.views" s)) offered))
               (format "%S" offered))
    (e2e-after-rebind (lambda () (e2e-stale views)))
    (let ((n (length e2e-reports)))
      (with-current-buffer core (pyreload-deep-reload))
      (e2e-check "M-x pyreload-deep-reload reloads the file's package"
                 (e2e-wait (lambda () (> (length e2e-reports) n)) 30)
                 (format "%S" e2e-reports)))
    (with-current-buffer views (eglot-shutdown (eglot-current-server)))))

(e2e-main #'e2e-run)
;;; e2e.el ends here
