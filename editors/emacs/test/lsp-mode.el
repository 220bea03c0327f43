;;; lsp-mode.el --- pyreload with Emacs + lsp-mode end to end -*- lexical-binding: t; -*-

;; Run by ../test.sh: emacs -Q --batch -l test/lsp-mode.el.  Debian's
;; emacs-nox and elpa-lsp-mode, the real `pyreload serve' ($PYRELOAD_BIN),
;; the workspace $PYRELOAD_TEST_ROOT (as e2e.el).  The last line is "done".

;;; Code:

(load (expand-file-name "helpers.el" (file-name-directory load-file-name)) nil t)

(setq pyreload-program (getenv "PYRELOAD_BIN"))
(require 'lsp-mode)
(pyreload-lsp-mode-setup)
(setq lsp-session-file (expand-file-name "lsp-session" (getenv "HOME"))
      lsp-auto-guess-root t               ; the git root, through project.el
      lsp-enable-file-watchers nil
      lsp-keep-workspace-alive nil
      lsp-restart 'ignore
      lsp-enable-suggest-server-download nil
      lsp-diagnostics-provider :none
      lsp-modeline-diagnostics-enable nil
      lsp-modeline-code-actions-enable nil
      lsp-headerline-breadcrumb-enable nil
      lsp-enable-snippet nil
      python-indent-guess-indent-offset nil
      make-backup-files nil)

(defun e2e-open (rel)
  "Visit REL under the root and start lsp-mode in it."
  (let ((buf (find-file-noselect (expand-file-name rel e2e-root))))
    (with-current-buffer buf (lsp))
    buf))

(defun e2e-stale (buf)
  "The stale-import diagnostics lsp-mode holds for BUF's file."
  (cl-remove-if-not
   (lambda (d) (equal "stale-import" (lsp:diagnostic-code? d)))
   (gethash (buffer-file-name buf) (lsp-diagnostics) nil)))


(defun e2e-run ()
  (let ((views (e2e-open "app/views.py")) core actions)
    (unless (e2e-check "lsp-mode runs pyreload serve for the buffer"
                       (with-current-buffer views
                         (seq-find (lambda (w) (eq 'pyreload (lsp--client-server-id (lsp--workspace-client w))))
                                   (lsp-workspaces)))
                       "no pyreload workspace")
      (cl-return-from e2e-run))
    (unless (e2e-app-ready)
      (cl-return-from e2e-run))
    (setq core (e2e-open "shop/core.py"))
    (e2e-edit-and-save core)
    (let ((stale (e2e-wait (lambda () (e2e-stale views)) 60)))
      (unless (e2e-check "stale-import on the import line after saving"
                         (and stale (= 1 (lsp:position-line (lsp:range-start (lsp:diagnostic-range (car stale))))))
                         (format "%S" (lsp-diagnostics)))
        (cl-return-from e2e-run)))
    (e2e-check "the app still runs the old hello" (equal (e2e-says) "hello from shop") (e2e-says))
    (with-current-buffer views
      (goto-char (point-min))
      (forward-line 1)
      (setq actions (append (lsp-code-actions-at-point) nil))
      (let ((titles (mapcar #'lsp:code-action-title actions)))
        (e2e-check "the code actions offer rebind, patch and reload dependents"
                   (and (seq-find (lambda (s) (string-prefix-p "Rebind `hello`" s)) titles)
                        (seq-find (lambda (s) (string-prefix-p "Patch old" s)) titles)
                        (seq-find (lambda (s) (string-prefix-p "Reload app.views" s)) titles))
                   (format "%S" titles)))
      (let ((rebind (seq-find (lambda (a) (string-prefix-p "Rebind" (lsp:code-action-title a))) actions)))
        (when rebind (lsp-execute-code-action rebind))))
    (e2e-after-rebind (lambda () (e2e-stale views)))
    (with-current-buffer views (lsp-workspace-shutdown (car (lsp-workspaces))))))

(e2e-main #'e2e-run)
;;; lsp-mode.el ends here
