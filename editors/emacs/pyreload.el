;;; pyreload.el --- pyreload through eglot -*- lexical-binding: t; -*-

;; Copyright (c) 2026 The pyreload authors.  MIT License (see LICENSE).
;; Package-Requires: ((emacs "27.1") (eglot "1.9"))

;;; Commentary:

;; Runs `pyreload serve --stdio' as the language server of Python buffers
;; through eglot.  On save the saved file's package is reloaded in the
;; project's running interpreter; stale references show as Flymake
;; diagnostics and `eglot-code-actions' offers the quick fixes.
;;
;;   (add-to-list 'load-path "/path/to/pyreload/editors/emacs")
;;   (require 'pyreload)
;;   (pyreload-eglot-setup)          ; python-mode and python-ts-mode
;;   (add-hook 'python-mode-hook #'eglot-ensure)
;;
;; `pyreload-program' names the binary.  M-x pyreload-deep-reload reloads
;; the current file's package, M-x pyreload-restart-interpreter restarts
;; the project's interpreter.  `pyreload-states' holds the latest
;; pyreload/status per root; `pyreload-status-functions' and
;; `pyreload-report-functions' run on every status and report.

;;; Code:

(require 'cl-lib)
(require 'eglot)

(defgroup pyreload nil
  "Reload Python code inside a running interpreter."
  :group 'tools
  :prefix "pyreload-")

(defcustom pyreload-program "pyreload"
  "The pyreload binary: a name looked up on `exec-path' or a full path."
  :type 'string)

(defvar pyreload-states (make-hash-table :test 'equal)
  "The latest pyreload/status plist (:root :state :pids) per root URI.")

(defvar pyreload-last-report nil
  "The latest pyreload/report plist (:package :ok :summary ...).")

(defvar pyreload-status-functions nil
  "Functions called with each pyreload/status plist.")

(defvar pyreload-report-functions nil
  "Functions called with each pyreload/report plist.")

(defun pyreload--contact (&optional _interactive)
  "The eglot contact of pyreload: its binary, or an error naming it."
  (let ((bin (executable-find pyreload-program)))
    (unless bin
      (user-error "pyreload: the language server binary `%s' was not found; install pyreload (pip install of its wheel, or make) or set `pyreload-program' to its full path"
                  pyreload-program))
    (list bin "serve" "--stdio")))

;;;###autoload
(defun pyreload-eglot-setup ()
  "Use pyreload as eglot's server for `python-mode' and `python-ts-mode'."
  (add-to-list 'eglot-server-programs '((python-mode python-ts-mode) . pyreload--contact)))

(cl-defmethod eglot-handle-notification
  (_server (_method (eql pyreload/status)) &rest params &key root state &allow-other-keys)
  "Keep the interpreters' state of ROOT (STATE) from pyreload/status PARAMS."
  (puthash root params pyreload-states)
  (unless (equal state "ready")
    (message "pyreload: the Python interpreter of %s is %s" root state))
  (run-hook-with-args 'pyreload-status-functions params))

(cl-defmethod eglot-handle-notification
  (_server (_method (eql pyreload/report)) &rest params &key summary &allow-other-keys)
  "Show the one-line SUMMARY of a reload from pyreload/report PARAMS."
  (setq pyreload-last-report params)
  (when summary
    (message "pyreload: %s" summary))
  (run-hook-with-args 'pyreload-report-functions params))

(defun pyreload--uri ()
  "The file URI of the current buffer."
  (let ((file (or buffer-file-name (user-error "pyreload: this buffer visits no file"))))
    (if (fboundp 'eglot-path-to-uri)
        (eglot-path-to-uri file)
      (eglot--path-to-uri file))))

;;;###autoload
(defun pyreload-deep-reload ()
  "Deep reload the package of the current file in the running interpreter."
  (interactive)
  (eglot-execute-command (eglot--current-server-or-lose) 'pyreload.deepReload
                         (vector (list :uri (pyreload--uri)))))

;;;###autoload
(defun pyreload-restart-interpreter ()
  "Restart the Python interpreter of the current file's project."
  (interactive)
  (eglot-execute-command (eglot--current-server-or-lose) 'pyreload.restartInterpreter
                         (vector (list :uri (pyreload--uri)))))

(provide 'pyreload)
;;; pyreload.el ends here
