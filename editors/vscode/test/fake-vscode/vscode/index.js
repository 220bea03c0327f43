// FAKE `vscode` module for the pyreload extension's tests (see ../README.md).
// It implements, in memory, the slice of VS Code's extension API that the
// extension and the real vscode-languageclient use. `exports.fake` is the test
// harness's handle; everything else mirrors VS Code's API names.
'use strict';

const fs = require('fs');
const path = require('path');
const url = require('url');

const unimplemented = new Set();

// ---------------------------------------------------------------- basics

class Disposable {
  constructor(fn) {
    this._fn = fn;
  }
  static from(...items) {
    return new Disposable(() => items.forEach((d) => d && d.dispose && d.dispose()));
  }
  dispose() {
    if (this._fn) {
      const fn = this._fn;
      this._fn = undefined;
      fn();
    }
  }
}

class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener, thisArgs, disposables) => {
      const entry = thisArgs ? listener.bind(thisArgs) : listener;
      this._listeners.add(entry);
      const d = new Disposable(() => this._listeners.delete(entry));
      if (Array.isArray(disposables)) {
        disposables.push(d);
      }
      return d;
    };
  }
  fire(e) {
    for (const l of [...this._listeners]) {
      l(e);
    }
  }
  dispose() {
    this._listeners.clear();
  }
}

class CancellationError extends Error {
  constructor() {
    super('Canceled');
    this.name = 'Canceled';
  }
}

class CancellationTokenSource {
  constructor() {
    const emitter = new EventEmitter();
    this._emitter = emitter;
    this.token = { isCancellationRequested: false, onCancellationRequested: emitter.event };
  }
  cancel() {
    if (!this.token.isCancellationRequested) {
      this.token.isCancellationRequested = true;
      this._emitter.fire(undefined);
    }
  }
  dispose() {
    this._emitter.dispose();
  }
}

class Uri {
  constructor(scheme, authority, p, query, fragment) {
    this.scheme = scheme;
    this.authority = authority || '';
    this.path = p || '';
    this.query = query || '';
    this.fragment = fragment || '';
  }
  static file(p) {
    return new Uri('file', '', path.resolve(p));
  }
  static parse(s) {
    if (s.startsWith('file:')) {
      return Uri.file(url.fileURLToPath(s));
    }
    const m = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(s);
    if (!m) {
      throw new Error(`fake vscode: cannot parse URI ${s}`);
    }
    return new Uri(m[1], m[2], decodeURIComponent(m[3]), m[4], m[5]);
  }
  static joinPath(base, ...parts) {
    return base.with({ path: path.posix.join(base.path, ...parts) });
  }
  get fsPath() {
    return this.path;
  }
  with(change) {
    return new Uri(
      change.scheme ?? this.scheme,
      change.authority ?? this.authority,
      change.path ?? this.path,
      change.query ?? this.query,
      change.fragment ?? this.fragment,
    );
  }
  toString() {
    if (this.scheme === 'file') {
      return url.pathToFileURL(this.path).href;
    }
    let s = `${this.scheme}://${this.authority}${this.path}`;
    if (this.query) s += `?${this.query}`;
    if (this.fragment) s += `#${this.fragment}`;
    return s;
  }
  toJSON() {
    return { $mid: 1, scheme: this.scheme, path: this.path, external: this.toString() };
  }
}

class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
  isBefore(o) {
    return this.line < o.line || (this.line === o.line && this.character < o.character);
  }
  isEqual(o) {
    return this.line === o.line && this.character === o.character;
  }
  translate(dl = 0, dc = 0) {
    return new Position(this.line + dl, this.character + dc);
  }
}

class Range {
  constructor(a, b, c, d) {
    if (typeof a === 'number') {
      this.start = new Position(a, b);
      this.end = new Position(c, d);
    } else {
      this.start = a;
      this.end = b;
    }
  }
  get isEmpty() {
    return this.start.isEqual(this.end);
  }
  contains(p) {
    const pos = p instanceof Range ? p.start : p;
    return !pos.isBefore(this.start) && (pos.isBefore(this.end) || pos.isEqual(this.end));
  }
}

class Selection extends Range {
  constructor(anchor, active) {
    super(anchor, active);
    this.anchor = anchor;
    this.active = active;
  }
}

class Location {
  constructor(uri, rangeOrPosition) {
    this.uri = uri;
    this.range = rangeOrPosition instanceof Position ? new Range(rangeOrPosition, rangeOrPosition) : rangeOrPosition;
  }
}

const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 };
const DiagnosticTag = { Unnecessary: 1, Deprecated: 2 };

class Diagnostic {
  constructor(range, message, severity = DiagnosticSeverity.Error) {
    this.range = range;
    this.message = message;
    this.severity = severity;
  }
}

class DiagnosticRelatedInformation {
  constructor(location, message) {
    this.location = location;
    this.message = message;
  }
}

class CodeActionKind {
  constructor(value) {
    this.value = value;
  }
  append(part) {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  contains(other) {
    return this.value === other.value || other.value.startsWith(`${this.value}.`) || this.value === '';
  }
  intersects(other) {
    return this.contains(other) || other.contains(this);
  }
}
CodeActionKind.Empty = new CodeActionKind('');
CodeActionKind.QuickFix = new CodeActionKind('quickfix');
CodeActionKind.Refactor = new CodeActionKind('refactor');
CodeActionKind.RefactorExtract = new CodeActionKind('refactor.extract');
CodeActionKind.RefactorInline = new CodeActionKind('refactor.inline');
CodeActionKind.RefactorRewrite = new CodeActionKind('refactor.rewrite');
CodeActionKind.Source = new CodeActionKind('source');
CodeActionKind.SourceOrganizeImports = new CodeActionKind('source.organizeImports');
CodeActionKind.SourceFixAll = new CodeActionKind('source.fixAll');

class CodeAction {
  constructor(title, kind) {
    this.title = title;
    this.kind = kind;
  }
}

class TextEdit {
  constructor(range, newText) {
    this.range = range;
    this.newText = newText;
  }
  static replace(range, newText) {
    return new TextEdit(range, newText);
  }
}

class WorkspaceEdit {
  constructor() {
    this._edits = [];
  }
  replace(uri, range, newText) {
    this._edits.push([uri, new TextEdit(range, newText)]);
  }
  insert(uri, pos, newText) {
    this._edits.push([uri, new TextEdit(new Range(pos, pos), newText)]);
  }
  delete(uri, range) {
    this._edits.push([uri, new TextEdit(range, '')]);
  }
  set(uri, edits) {
    for (const e of edits || []) this._edits.push([uri, e]);
  }
  entries() {
    const m = new Map();
    for (const [u, e] of this._edits) {
      const k = u.toString();
      if (!m.has(k)) m.set(k, [u, []]);
      m.get(k)[1].push(e);
    }
    return [...m.values()];
  }
  get size() {
    return this.entries().length;
  }
  createFile() {
    unimplemented.add('WorkspaceEdit.createFile');
  }
  deleteFile() {
    unimplemented.add('WorkspaceEdit.deleteFile');
  }
  renameFile() {
    unimplemented.add('WorkspaceEdit.renameFile');
  }
}

class TabInputText {
  constructor(uri) {
    this.uri = uri;
  }
}

class MarkdownString {
  constructor(value = '', supportThemeIcons = false) {
    this.value = value;
    this.supportThemeIcons = supportThemeIcons;
  }
  appendMarkdown(v) {
    this.value += v;
    return this;
  }
  appendText(v) {
    this.value += v;
    return this;
  }
}

// A generic stand-in for classes the fake does not model (the client extends or
// constructs some of them, e.g. CodeLens, CompletionItem). Recorded as unimplemented.
function genericClass(name) {
  const C = class {
    constructor(...args) {
      this._args = args;
      unimplemented.add(`new ${name}`);
    }
  };
  Object.defineProperty(C, 'name', { value: name });
  return C;
}

const enums = {
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  TextDocumentSaveReason: { Manual: 1, AfterDelay: 2, FocusOut: 3 },
  FileType: { Unknown: 0, File: 1, Directory: 2, SymbolicLink: 64 },
  CodeActionTriggerKind: { Invoke: 1, Automatic: 2 },
  EndOfLine: { LF: 1, CRLF: 2 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  ViewColumn: { Active: -1, Beside: -2, One: 1 },
  NotebookCellKind: { Markup: 1, Code: 2 },
  ExtensionMode: { Production: 1, Development: 2, Test: 3 },
  LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
  UIKind: { Desktop: 1, Web: 2 },
};

// ---------------------------------------------------------------- documents

const LANGUAGES = { '.py': 'python', '.toml': 'toml', '.md': 'markdown', '.json': 'json' };

class TextDocument {
  constructor(uri, text, languageId) {
    this.uri = uri;
    this.fileName = uri.fsPath;
    this.languageId = languageId;
    this.version = 1;
    this.isDirty = false;
    this.isClosed = false;
    this.isUntitled = false;
    this.eol = enums.EndOfLine.LF;
    this._text = text;
  }
  get lineCount() {
    return this._text.split('\n').length;
  }
  getText(range) {
    if (!range) return this._text;
    return this._text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
  lineAt(lineOrPos) {
    const line = typeof lineOrPos === 'number' ? lineOrPos : lineOrPos.line;
    const text = this._text.split('\n')[line];
    if (text === undefined) throw new Error(`fake vscode: line ${line} out of range`);
    return {
      lineNumber: line,
      text,
      range: new Range(line, 0, line, text.length),
      rangeIncludingLineBreak: new Range(line, 0, line + 1, 0),
      firstNonWhitespaceCharacterIndex: text.length - text.trimStart().length,
      isEmptyOrWhitespace: text.trim() === '',
    };
  }
  offsetAt(pos) {
    const lines = this._text.split('\n');
    let off = 0;
    for (let i = 0; i < pos.line && i < lines.length; i++) off += lines[i].length + 1;
    return Math.min(off + pos.character, this._text.length);
  }
  positionAt(offset) {
    const before = this._text.slice(0, offset).split('\n');
    return new Position(before.length - 1, before[before.length - 1].length);
  }
  validateRange(r) {
    return r;
  }
  validatePosition(p) {
    return p;
  }
  getWordRangeAtPosition() {
    return undefined;
  }
  save() {
    return fake.saveDocument(this);
  }
}

// ---------------------------------------------------------------- configuration

// Settings are kept flat by full key ('pyreload.onSave'), at user (global) and
// workspace level, with defaults read from the extension's package.json.
const settings = { defaults: {}, global: {}, workspace: {} };

function loadDefaults(manifestPath) {
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const props = (manifest.contributes && manifest.contributes.configuration && manifest.contributes.configuration.properties) || {};
  for (const [k, v] of Object.entries(props)) {
    if ('default' in v) settings.defaults[k] = v.default;
  }
}

function effective(full) {
  for (const level of ['workspace', 'global', 'defaults']) {
    if (full in settings[level]) return settings[level][full];
  }
  // A section: gather its keys into an object.
  const prefix = `${full}.`;
  let obj;
  for (const level of ['defaults', 'global', 'workspace']) {
    for (const [k, v] of Object.entries(settings[level])) {
      if (full === '' || k.startsWith(prefix)) {
        obj = obj || {};
        const rest = full === '' ? k : k.slice(prefix.length);
        const parts = rest.split('.');
        let o = obj;
        for (const p of parts.slice(0, -1)) o = o[p] = o[p] && typeof o[p] === 'object' ? o[p] : {};
        o[parts[parts.length - 1]] = v;
      }
    }
  }
  return obj;
}

function getConfiguration(section, _scope) {
  const prefix = section ? `${section}.` : '';
  const cfg = {
    get(key, dflt) {
      const v = effective(prefix + key);
      return v === undefined ? dflt : JSON.parse(JSON.stringify(v));
    },
    has(key) {
      return effective(prefix + key) !== undefined;
    },
    inspect(key) {
      const full = prefix + key;
      return {
        key: full,
        defaultValue: settings.defaults[full],
        globalValue: settings.global[full],
        workspaceValue: settings.workspace[full],
        workspaceFolderValue: undefined,
      };
    },
    update(key, value, target) {
      return fake.setSetting(prefix + key, value, target === enums.ConfigurationTarget.Global || target === true ? 'global' : 'workspace');
    },
  };
  // Like VS Code, the section's values are also readable as properties.
  const obj = effective(section || '') || {};
  return Object.assign(Object.create(cfg), obj, cfg);
}

// ---------------------------------------------------------------- namespaces

const ev = {
  open: new EventEmitter(),
  close: new EventEmitter(),
  change: new EventEmitter(),
  willSave: new EventEmitter(),
  save: new EventEmitter(),
  config: new EventEmitter(),
  folders: new EventEmitter(),
  activeEditor: new EventEmitter(),
  visibleEditors: new EventEmitter(),
  diagnostics: new EventEmitter(),
  tabs: new EventEmitter(),
  never: new EventEmitter(),
};

const state = {
  folders: [],
  documents: [],
  activeEditor: undefined,
  commands: new Map(),
  collections: [],
  providers: [],
  messages: [],
  outputs: [],
  statusItems: [],
  applied: [],
};

const workspace = {
  get workspaceFolders() {
    return state.folders.length ? state.folders : undefined;
  },
  get textDocuments() {
    return state.documents.filter((d) => !d.isClosed);
  },
  get notebookDocuments() {
    return [];
  },
  get name() {
    return state.folders[0] && state.folders[0].name;
  },
  get rootPath() {
    return state.folders[0] && state.folders[0].uri.fsPath;
  },
  getWorkspaceFolder(uri) {
    return state.folders.find((f) => uri.fsPath === f.uri.fsPath || uri.fsPath.startsWith(f.uri.fsPath + path.sep));
  },
  getConfiguration,
  onDidOpenTextDocument: ev.open.event,
  onDidCloseTextDocument: ev.close.event,
  onDidChangeTextDocument: ev.change.event,
  onWillSaveTextDocument: ev.willSave.event,
  onDidSaveTextDocument: ev.save.event,
  onDidChangeConfiguration: ev.config.event,
  onDidChangeWorkspaceFolders: ev.folders.event,
  onDidOpenNotebookDocument: ev.never.event,
  onDidCloseNotebookDocument: ev.never.event,
  onDidChangeNotebookDocument: ev.never.event,
  onDidSaveNotebookDocument: ev.never.event,
  onWillCreateFiles: ev.never.event,
  onDidCreateFiles: ev.never.event,
  onWillRenameFiles: ev.never.event,
  onDidRenameFiles: ev.never.event,
  onWillDeleteFiles: ev.never.event,
  onDidDeleteFiles: ev.never.event,
  createFileSystemWatcher() {
    return {
      onDidCreate: ev.never.event,
      onDidChange: ev.never.event,
      onDidDelete: ev.never.event,
      dispose() {},
    };
  },
  async openTextDocument(arg) {
    return fake.openDocument(typeof arg === 'string' ? arg : arg.fsPath);
  },
  async applyEdit(edit) {
    state.applied.push(edit);
    for (const [uri, edits] of edit.entries()) {
      const doc = await workspace.openTextDocument(uri);
      // Apply from the end so earlier offsets stay valid.
      const sorted = [...edits].sort((a, b) => doc.offsetAt(b.range.start) - doc.offsetAt(a.range.start));
      let text = doc.getText();
      for (const e of sorted) {
        text = text.slice(0, doc.offsetAt(e.range.start)) + e.newText + text.slice(doc.offsetAt(e.range.end));
      }
      fake.setText(doc, text);
    }
    return true;
  },
  fs: {
    async stat(uri) {
      const st = fs.statSync(uri.fsPath);
      return { type: st.isDirectory() ? enums.FileType.Directory : enums.FileType.File, size: st.size, ctime: st.ctimeMs, mtime: st.mtimeMs };
    },
    async readFile(uri) {
      return fs.readFileSync(uri.fsPath);
    },
  },
};

function makeEditor(doc) {
  const sel = new Selection(new Position(0, 0), new Position(0, 0));
  return { document: doc, selection: sel, selections: [sel], visibleRanges: [], options: {}, viewColumn: 1 };
}

function record(kind) {
  return (message, ...items) => {
    state.messages.push({ kind, message: String(message) });
    return Promise.resolve(undefined);
  };
}

const window = {
  get activeTextEditor() {
    return state.activeEditor;
  },
  get visibleTextEditors() {
    return state.activeEditor ? [state.activeEditor] : [];
  },
  onDidChangeActiveTextEditor: ev.activeEditor.event,
  onDidChangeVisibleTextEditors: ev.visibleEditors.event,
  async showTextDocument(docOrUri) {
    const doc = docOrUri instanceof TextDocument ? docOrUri : await workspace.openTextDocument(docOrUri);
    state.activeEditor = makeEditor(doc);
    ev.activeEditor.fire(state.activeEditor);
    return state.activeEditor;
  },
  showInformationMessage: record('info'),
  showWarningMessage: record('warning'),
  showErrorMessage: record('error'),
  createOutputChannel(name) {
    const ch = {
      name,
      lines: [],
      text: '',
      shown: 0,
      append(v) {
        this.text += v;
      },
      appendLine(v) {
        this.text += `${v}\n`;
        this.lines.push(v);
      },
      replace(v) {
        this.text = v;
      },
      clear() {
        this.text = '';
        this.lines = [];
      },
      show() {
        this.shown++;
      },
      hide() {},
      dispose() {},
      // LogOutputChannel methods, for clients that ask for one.
      trace(v) { this.appendLine(v); },
      debug(v) { this.appendLine(v); },
      info(v) { this.appendLine(v); },
      warn(v) { this.appendLine(v); },
      error(v) { this.appendLine(String(v)); },
      logLevel: 3,
      onDidChangeLogLevel: ev.never.event,
    };
    state.outputs.push(ch);
    return ch;
  },
  createStatusBarItem(alignmentOrId, priority) {
    const item = {
      id: typeof alignmentOrId === 'string' ? alignmentOrId : undefined,
      alignment: typeof alignmentOrId === 'number' ? alignmentOrId : enums.StatusBarAlignment.Left,
      priority,
      text: '',
      tooltip: undefined,
      command: undefined,
      name: undefined,
      visible: false,
      show() {
        this.visible = true;
      },
      hide() {
        this.visible = false;
      },
      dispose() {
        this.visible = false;
      },
    };
    state.statusItems.push(item);
    return item;
  },
  async withProgress(_options, task) {
    const cts = new CancellationTokenSource();
    return task({ report() {} }, cts.token);
  },
  // One tab group holding a tab per open document (the client's pull
  // diagnostics look at tabs to know which documents are visible).
  tabGroups: {
    get all() {
      return [window.tabGroups.activeTabGroup];
    },
    get activeTabGroup() {
      const tabs = workspace.textDocuments.map((d) => ({
        input: new TabInputText(d.uri),
        label: path.basename(d.uri.fsPath),
        isActive: !!state.activeEditor && state.activeEditor.document === d,
      }));
      return { tabs, isActive: true, viewColumn: 1, activeTab: tabs.find((t) => t.isActive) };
    },
    onDidChangeTabs: ev.tabs.event,
    onDidChangeTabGroups: ev.never.event,
  },
};

const commands = {
  registerCommand(id, handler, thisArg) {
    if (state.commands.has(id)) {
      // VS Code refuses a second registration of the same id.
      throw new Error(`command '${id}' already exists`);
    }
    state.commands.set(id, thisArg ? handler.bind(thisArg) : handler);
    return new Disposable(() => state.commands.delete(id));
  },
  registerTextEditorCommand(id, handler) {
    return commands.registerCommand(id, (...args) => handler(state.activeEditor, undefined, ...args));
  },
  async executeCommand(id, ...args) {
    const h = state.commands.get(id);
    if (!h) {
      throw new Error(`command '${id}' not found`);
    }
    return h(...args);
  },
  async getCommands() {
    return [...state.commands.keys()];
  },
};

function matchOne(sel, doc) {
  if (typeof sel === 'string') return sel === '*' || sel === doc.languageId ? 10 : 0;
  if (sel.notebookType) return 0;
  if (sel.language && sel.language !== '*' && sel.language !== doc.languageId) return 0;
  if (sel.scheme && sel.scheme !== '*' && sel.scheme !== doc.uri.scheme) return 0;
  if (sel.pattern) {
    const pattern = typeof sel.pattern === 'string' ? sel.pattern : sel.pattern.pattern;
    if (!globMatch(pattern, doc.uri.fsPath)) return 0;
  }
  return 10;
}

function globMatch(glob, p) {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\/?/g, '\u0000')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]')
    .replace(/\u0000/g, '.*');
  return new RegExp(`(^|/)${re}$`).test(p);
}

class DiagnosticCollection {
  constructor(name) {
    this.name = name;
    this._map = new Map();
  }
  set(uriOrEntries, diags) {
    if (Array.isArray(uriOrEntries)) {
      for (const [u, d] of uriOrEntries) this.set(u, d);
      return;
    }
    const key = uriOrEntries.toString();
    if (!diags || diags.length === 0) this._map.delete(key);
    else this._map.set(key, [uriOrEntries, [...diags]]);
    ev.diagnostics.fire({ uris: [uriOrEntries] });
  }
  get(uri) {
    const e = this._map.get(uri.toString());
    return e ? e[1] : [];
  }
  has(uri) {
    return this._map.has(uri.toString());
  }
  delete(uri) {
    this._map.delete(uri.toString());
    ev.diagnostics.fire({ uris: [uri] });
  }
  clear() {
    const uris = [...this._map.values()].map((e) => e[0]);
    this._map.clear();
    ev.diagnostics.fire({ uris });
  }
  forEach(cb) {
    for (const [u, d] of this._map.values()) cb(u, d, this);
  }
  dispose() {
    this.clear();
    state.collections = state.collections.filter((c) => c !== this);
  }
}

function providerRegistrar(kind) {
  return (selector, provider, ...rest) => {
    const entry = { kind, selector, provider, rest };
    state.providers.push(entry);
    return new Disposable(() => {
      state.providers = state.providers.filter((p) => p !== entry);
    });
  };
}

const languagesTarget = {
  match(selector, doc) {
    const sels = Array.isArray(selector) ? selector : [selector];
    return Math.max(0, ...sels.map((s) => matchOne(s, doc)));
  },
  createDiagnosticCollection(name) {
    const c = new DiagnosticCollection(name);
    state.collections.push(c);
    return c;
  },
  getDiagnostics(uri) {
    if (uri) return state.collections.flatMap((c) => c.get(uri));
    const all = [];
    for (const c of state.collections) c.forEach((u, d) => all.push([u, d]));
    return all;
  },
  onDidChangeDiagnostics: ev.diagnostics.event,
  async getLanguages() {
    return ['python'];
  },
};
const languages = new Proxy(languagesTarget, {
  get(t, prop) {
    if (prop in t) return t[prop];
    if (typeof prop === 'string' && prop.startsWith('register')) {
      return (t[prop] = providerRegistrar(prop.slice('register'.length)));
    }
    return undefined;
  },
});

const env = {
  appName: 'Fake VS Code (pyreload tests)',
  appRoot: __dirname,
  language: 'en',
  machineId: 'fake-machine',
  sessionId: 'fake-session',
  uriScheme: 'vscode',
  uiKind: enums.UIKind.Desktop,
  async openExternal() {
    return true;
  },
  clipboard: { async readText() { return ''; }, async writeText() {} },
};

// Other extensions, registered by tests with fake.setExtension.
const installed = new Map();

const extensions = {
  getExtension(id) {
    return installed.get(id);
  },
  all: [],
  onDidChange: ev.never.event,
};

// ---------------------------------------------------------------- the harness

const fake = {
  unimplemented,
  state,
  /** reset clears documents, commands and settings and sets the workspace folders. */
  reset({ folders = [], manifest } = {}) {
    state.folders = folders.map((f, index) => ({ uri: Uri.file(f), name: path.basename(f), index }));
    state.documents = [];
    state.activeEditor = undefined;
    state.commands.clear();
    state.collections = [];
    state.providers = [];
    state.messages = [];
    state.outputs = [];
    state.statusItems = [];
    installed.clear();
    state.applied = [];
    settings.defaults = {};
    settings.global = {};
    settings.workspace = {};
    if (manifest) loadDefaults(manifest);
  },
  /**
   * setExtension installs a fake extension whose activate() returns exports
   * (undefined uninstalls it); reset() uninstalls them all.
   */
  setExtension(id, exports) {
    if (exports === undefined) {
      installed.delete(id);
      return;
    }
    const ext = {
      id,
      isActive: false,
      exports: undefined,
      async activate() {
        ext.isActive = true;
        ext.exports = exports;
        return exports;
      },
    };
    installed.set(id, ext);
  },
  /** extensionContext returns an ExtensionContext for activate(). */
  extensionContext(extensionPath) {
    const mem = new Map();
    const memento = {
      get: (k, d) => (mem.has(k) ? mem.get(k) : d),
      update: async (k, v) => void mem.set(k, v),
      keys: () => [...mem.keys()],
    };
    return {
      subscriptions: [],
      extensionPath,
      extensionUri: Uri.file(extensionPath),
      asAbsolutePath: (p) => path.join(extensionPath, p),
      globalState: memento,
      workspaceState: memento,
      extensionMode: enums.ExtensionMode.Test,
      logUri: Uri.file(path.join(extensionPath, '.log')),
      storageUri: undefined,
      globalStorageUri: Uri.file(path.join(extensionPath, '.global')),
    };
  },
  /** openDocument opens a file from disk (once) and fires onDidOpenTextDocument. */
  openDocument(p) {
    const uri = Uri.file(p);
    let doc = state.documents.find((d) => d.uri.fsPath === uri.fsPath && !d.isClosed);
    if (doc) return doc;
    doc = new TextDocument(uri, fs.readFileSync(uri.fsPath, 'utf8'), LANGUAGES[path.extname(p)] || 'plaintext');
    state.documents.push(doc);
    ev.open.fire(doc);
    ev.tabs.fire({ opened: [], closed: [], changed: [] });
    return doc;
  },
  closeDocument(doc) {
    doc.isClosed = true;
    ev.close.fire(doc);
  },
  /** setText replaces a document's whole text, as an edit in the editor would. */
  setText(doc, text) {
    const old = doc._text;
    const range = new Range(new Position(0, 0), doc.positionAt(old.length));
    doc._text = text;
    doc.version++;
    doc.isDirty = true;
    ev.change.fire({
      document: doc,
      contentChanges: [{ range, rangeOffset: 0, rangeLength: old.length, text }],
      reason: undefined,
    });
  },
  /** saveDocument writes a document to disk and fires the save events. */
  async saveDocument(doc) {
    const waits = [];
    ev.willSave.fire({ document: doc, reason: enums.TextDocumentSaveReason.Manual, waitUntil: (p) => waits.push(p) });
    await Promise.all(waits);
    fs.writeFileSync(doc.uri.fsPath, doc._text);
    doc.isDirty = false;
    ev.save.fire(doc);
    return true;
  },
  /** setSetting changes one setting ('pyreload.onSave') and fires onDidChangeConfiguration. */
  async setSetting(full, value, level = 'workspace') {
    if (value === undefined) delete settings[level][full];
    else settings[level][full] = value;
    ev.config.fire({
      affectsConfiguration: (section) => full === section || full.startsWith(`${section}.`) || section.startsWith(`${full}.`),
    });
  },
  /** diagnostics returns the diagnostics of every collection for one file path. */
  diagnostics(p) {
    return languagesTarget.getDiagnostics(Uri.file(p));
  },
  /** waitFor polls a condition (on every diagnostics change and every 50 ms). */
  waitFor(cond, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      let done = false;
      const check = () => {
        if (done) return;
        let v;
        try {
          v = cond();
        } catch (err) {
          finish(err);
          return;
        }
        if (v) finish(undefined, v);
      };
      const sub = ev.diagnostics.event(check);
      const iv = setInterval(check, 50);
      const to = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
      function finish(err, v) {
        done = true;
        sub.dispose();
        clearInterval(iv);
        clearTimeout(to);
        if (err) reject(err);
        else resolve(v);
      }
      check();
    });
  },
  /** providers returns the registered providers of a kind ('CodeActionsProvider'). */
  providers(kind) {
    return state.providers.filter((p) => p.kind === kind);
  },
};

// ---------------------------------------------------------------- exports

const api = {
  version: '1.82.0',
  Disposable,
  EventEmitter,
  CancellationError,
  CancellationTokenSource,
  Uri,
  Position,
  Range,
  Selection,
  Location,
  Diagnostic,
  DiagnosticSeverity,
  DiagnosticTag,
  DiagnosticRelatedInformation,
  CodeAction,
  CodeActionKind,
  TextEdit,
  WorkspaceEdit,
  MarkdownString,
  TabInputText,
  ...enums,
  workspace,
  window,
  commands,
  languages,
  env,
  extensions,
  fake,
};

module.exports = new Proxy(api, {
  get(t, prop) {
    if (prop in t) return t[prop];
    if (typeof prop !== 'string' || prop === 'then' || prop === '__esModule') return undefined;
    if (/^[A-Z]/.test(prop)) {
      // An API class or enum the fake does not model: hand out a generic class
      // whose statics are numbers, and remember that it was asked for.
      unimplemented.add(prop);
      const C = genericClass(prop);
      return (t[prop] = new Proxy(C, {
        get(c, k) {
          if (k in c) return c[k];
          return typeof k === 'string' ? 0 : undefined;
        },
      }));
    }
    unimplemented.add(prop);
    return undefined;
  },
});
