;;; pyreload.el --- pyreload through eglot or lsp-mode -*- lexical-binding: t; -*-

;; Copyright (c) 2026 The pyreload authors.  MIT License (see LICENSE).
;; Package-Requires: ((emacs "27.1"))

;;; Commentary:

;; Runs `pyreload serve --stdio' as the language server of Python buffers
;; through eglot or lsp-mode.  On save the saved file's package is reloaded
;; in the project's running interpreter; stale references show as
;; diagnostics and the code actions offer the quick fixes.
;;
;;   (add-to-list 'load-path "/path/to/pyreload/editors/emacs")
;;   (require 'pyreload)
;;   (pyreload-eglot-setup)          ; python-mode and python-ts-mode
;;   (add-hook 'python-mode-hook #'eglot-ensure)
;;
;; or, with lsp-mode, where pyreload runs beside your other Python server:
;;
;;   (pyreload-lsp-mode-setup)
;;   (add-hook 'python-mode-hook #'lsp-deferred)
;;
;; `pyreload-program' names the binary.  M-x pyreload-deep-reload reloads
;; the current file's package, M-x pyreload-restart-interpreter restarts
;; the project's interpreter.  `pyreload-states' holds the latest
;; pyreload/status per root; `pyreload-status-functions' and
;; `pyreload-report-functions' run on every status and report.

;;; Code:

(require 'cl-lib)
(require 'url-util)
(declare-function eglot--current-server-or-lose "eglot")
(declare-function eglot--path-to-uri "eglot")
(declare-function eglot-path-to-uri "eglot")
(declare-function eglot-execute-command "eglot")
(declare-function lsp-register-client "lsp-mode")
(declare-function make-lsp-client "lsp-mode")
(declare-function lsp-stdio-connection "lsp-mode")
(declare-function lsp-activate-on "lsp-mode")
(declare-function lsp-send-execute-command "lsp-mode")
(defvar eglot-server-programs)

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
  (require 'eglot)
  (add-to-list 'eglot-server-programs '((python-mode python-ts-mode) . pyreload--contact)))

(defun pyreload--status (params)
  "Keep the interpreters' state from pyreload/status PARAMS (a plist)."
  (let ((state (plist-get params :state)))
    (puthash (plist-get params :root) params pyreload-states)
    (unless (equal state "ready")
      (message "pyreload: the Python interpreter of %s is %s" (plist-get params :root) state))
    (run-hook-with-args 'pyreload-status-functions params)))

(defun pyreload--report (params)
  "Show the one-line summary of a reload from pyreload/report PARAMS (a plist)."
  (setq pyreload-last-report params)
  (when (plist-get params :summary)
    (message "pyreload: %s" (plist-get params :summary)))
  (run-hook-with-args 'pyreload-report-functions params))

(with-eval-after-load 'eglot
  (cl-defmethod eglot-handle-notification
    (_server (_method (eql pyreload/status)) &rest params &allow-other-keys)
    "Handle pyreload/status PARAMS."
    (pyreload--status params))
  (cl-defmethod eglot-handle-notification
    (_server (_method (eql pyreload/report)) &rest params &allow-other-keys)
    "Handle pyreload/report PARAMS."
    (pyreload--report params)))

(defun pyreload--plist (params)
  "PARAMS from lsp-mode (a hash table unless `lsp-use-plists') as a plist."
  (if (hash-table-p params)
      (let (out)
        (maphash (lambda (k v) (setq out (plist-put out (intern (concat ":" k)) v))) params)
        out)
    params))

;;;###autoload
(defun pyreload-lsp-mode-setup ()
  "Register pyreload with lsp-mode for Python buffers, beside other servers."
  (require 'lsp-mode)
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () (pyreload--contact)))
    :activation-fn (lsp-activate-on "python")
    :server-id 'pyreload
    :add-on? t
    :notification-handlers
    (let ((h (make-hash-table :test 'equal)))
      (puthash "pyreload/status" (lambda (_w params) (pyreload--status (pyreload--plist params))) h)
      (puthash "pyreload/report" (lambda (_w params) (pyreload--report (pyreload--plist params))) h)
      h))))

(defun pyreload--uri ()
  "The file URI of the current buffer."
  (let ((file (or buffer-file-name (user-error "pyreload: this buffer visits no file"))))
    (concat "file://" (url-hexify-string (expand-file-name file) url-path-allowed-chars))))

(defun pyreload--execute (command)
  "Ask the current buffer's pyreload server to run COMMAND on this file."
  (let ((args (vector (list :uri (pyreload--uri)))))
    (cond
     ((bound-and-true-p lsp-mode) (lsp-send-execute-command command args))
     ((bound-and-true-p eglot--managed-mode)
      (eglot-execute-command (eglot--current-server-or-lose) (intern command) args))
     (t (user-error "pyreload: no eglot or lsp-mode session in this buffer")))))

;;;###autoload
(defun pyreload-deep-reload ()
  "Deep reload the package of the current file in the running interpreter."
  (interactive)
  (pyreload--execute "pyreload.deepReload"))

;;;###autoload
(defun pyreload-restart-interpreter ()
  "Restart the Python interpreter of the current file's project."
  (interactive)
  (pyreload--execute "pyreload.restartInterpreter"))

(provide 'pyreload)
;;; pyreload.el ends here
