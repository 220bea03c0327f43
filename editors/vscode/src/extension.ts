// extension.ts is the pyreload VS Code extension: it runs `pyreload serve` for
// Python files through vscode-languageclient, adds the palette commands, and
// shows the interpreters' state (pyreload/status) and the last reload's result
// (pyreload/report) in the status bar.
//
// The server registers its commands (pyreload.deepReload, pyreload.rebind, ...)
// in executeCommandProvider, so the language client registers those VS Code
// command ids itself; this extension only registers pyreload.client.* ids.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import { isReport, isStatus, Received, ReceivedStatus, reportLines, rootName, statusBarText, toStatus } from './report';

/** SETTINGS are the keys of section `pyreload` that are passed to the server. */
export const SETTINGS = ['onSave', 'packages', 'exclude', 'entry', 'pythonPath', 'paths', 'hooks', 'mode', 'debounceMs', 'reloadTimeoutMs', 'attach'] as const;

/** Server command ids (DESIGN.md). */
export const SERVER_DEEP_RELOAD = 'pyreload.deepReload';
export const SERVER_RESTART = 'pyreload.restartInterpreter';

/** Palette command ids of this extension. */
export const CLIENT_DEEP_RELOAD = 'pyreload.client.deepReload';
export const CLIENT_RESTART = 'pyreload.client.restartInterpreter';
export const CLIENT_SHOW_REPORT = 'pyreload.client.showLastReport';

/** REPORT_NOTIFICATION is the server's custom notification after every reload. */
export const REPORT_NOTIFICATION = 'pyreload/report';

/** STATUS_NOTIFICATION is the server's custom notification when a root's interpreters are ready, restarting or failed. */
export const STATUS_NOTIFICATION = 'pyreload/status';

/** Api is what activate returns, for other extensions and the tests. */
export interface Api {
  client(): LanguageClient | undefined;
  lastReport(): Received | undefined;
  onReport(listener: (r: Received) => void): vscode.Disposable;
  /** statuses returns the latest pyreload/status of every root. */
  statuses(): ReceivedStatus[];
  onStatus(listener: (s: ReceivedStatus) => void): vscode.Disposable;
}

/** PYTHON_EXTENSION is the Python extension, whose selected interpreter is the default pythonPath. */
export const PYTHON_EXTENSION = 'ms-python.python';

/** PythonApi is the part of the Python extension's published API (its `environments`) used here. */
interface PythonApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
}

let client: LanguageClient | undefined;
let extensionPath: string | undefined;
let starting: Promise<LanguageClient> | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
let last: Received | undefined;
const reportEvents = new vscode.EventEmitter<Received>();
// The latest pyreload/status per root URI; empty until the first one (starting).
const states = new Map<string, ReceivedStatus>();
const statusEvents = new vscode.EventEmitter<ReceivedStatus>();
// Why the language server could not be started, if it could not.
let serverError: string | undefined;

/**
 * explicitSettings returns the pyreload settings the user set (user, workspace or
 * folder level). Defaults are left out so that the project's [tool.pyreload]
 * table in pyproject.toml still applies where the user did not override it.
 */
export function explicitSettings(scope?: vscode.Uri): Record<string, unknown> {
  const cfg = vscode.workspace.getConfiguration('pyreload', scope);
  const out: Record<string, unknown> = {};
  for (const key of SETTINGS) {
    const i = cfg.inspect(key);
    if (!i) {
      continue;
    }
    const v = i.workspaceFolderValue ?? i.workspaceValue ?? i.globalValue;
    if (v !== undefined) {
      out[key] = v;
    }
  }
  return out;
}

/**
 * serverCommand is the binary to run: pyreload.path when the user set it,
 * else the one inside this extension (platform packages ship bin/pyreload),
 * else `pyreload` on PATH.
 */
export function serverCommand(extensionDir: string | undefined): string {
  const i = vscode.workspace.getConfiguration('pyreload').inspect<string>('path');
  const set = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  if (set) {
    return set;
  }
  if (extensionDir) {
    const bundled = path.join(extensionDir, 'bin', process.platform === 'win32' ? 'pyreload.exe' : 'pyreload');
    if (fs.existsSync(bundled)) {
      try {
        fs.accessSync(bundled, fs.constants.X_OK);
      } catch {
        fs.chmodSync(bundled, 0o755); // an archive that lost the mode
      }
      return bundled;
    }
  }
  return 'pyreload';
}

/** pythonApi returns the Python extension's API when it is installed. */
async function pythonApi(): Promise<PythonApi | undefined> {
  const ext = vscode.extensions.getExtension<PythonApi>(PYTHON_EXTENSION);
  if (!ext) {
    return undefined;
  }
  try {
    return ext.isActive ? ext.exports : await ext.activate();
  } catch (err) {
    output.appendLine(`pyreload: the Python extension did not activate: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/**
 * serverSettings are the explicit settings for a folder, with pythonPath
 * from the Python extension's selected interpreter when the user did not
 * set pyreload.pythonPath and that extension is installed.
 */
export async function serverSettings(scope?: vscode.Uri): Promise<Record<string, unknown>> {
  const out = explicitSettings(scope);
  if (out.pythonPath === undefined || out.pythonPath === '') {
    const api = await pythonApi();
    const folder = scope ?? vscode.workspace.workspaceFolders?.[0]?.uri;
    const selected = api?.environments?.getActiveEnvironmentPath(folder)?.path;
    if (selected) {
      out.pythonPath = selected;
    }
  }
  return out;
}

function activePythonUri(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.languageId !== 'python' || doc.uri.scheme !== 'file') {
    return undefined;
  }
  return doc.uri.toString();
}

function showStatus(): void {
  const s = statusBarText([...states.values()], last, serverError);
  status.text = s.text;
  status.tooltip = s.tooltip;
}

function serverOptions(): ServerOptions {
  const command = serverCommand(extensionPath);
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  // TransportKind.stdio appends --stdio: the server runs `pyreload serve --stdio`.
  return {
    command,
    args: ['serve'],
    transport: TransportKind.stdio,
    options: cwd ? { cwd } : undefined,
  };
}

function clientOptions(initial: Record<string, unknown>): LanguageClientOptions {
  return {
    documentSelector: [{ scheme: 'file', language: 'python' }],
    outputChannel: output,
    initializationOptions: initial,
    middleware: {
      // The palette sends pyreload.deepReload without arguments: add the
      // active Python file so the server knows which package to reload.
      executeCommand: async (command, args, next) => {
        if (command === SERVER_DEEP_RELOAD && (!args || args.length === 0)) {
          const uri = activePythonUri();
          if (uri) {
            args = [{ uri }];
          }
        }
        return next(command, args);
      },
      workspace: {
        // Answer workspace/configuration for section pyreload with the
        // explicit settings only (see serverSettings).
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return Promise.all(
            params.items.map((item, i) =>
              item.section === 'pyreload'
                ? serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
                : result[i],
            ),
          );
        },
      },
    },
  };
}

async function startClient(): Promise<LanguageClient> {
  const c = new LanguageClient('pyreload', 'pyreload', serverOptions(), clientOptions(await serverSettings()));
  c.onNotification(REPORT_NOTIFICATION, (params: unknown) => {
    if (!isReport(params)) {
      output.appendLine(`pyreload: ignoring a malformed ${REPORT_NOTIFICATION}: ${JSON.stringify(params)}`);
      return;
    }
    last = { ...params, at: new Date() };
    showStatus();
    reportEvents.fire(last);
  });
  c.onNotification(STATUS_NOTIFICATION, (params: unknown) => {
    if (!isStatus(params)) {
      output.appendLine(`pyreload: ignoring a malformed ${STATUS_NOTIFICATION}: ${JSON.stringify(params)}`);
      return;
    }
    const s = toStatus(params, new Date());
    states.set(s.root, s);
    if (s.state !== 'ready') {
      output.appendLine(`pyreload: the Python interpreter of ${rootName(s.root)} is ${s.state}`);
    }
    showStatus();
    statusEvents.fire(s);
  });
  // A server that stops (or is restarted by the client after a crash) takes its
  // interpreters with it: back to "starting…" until the next pyreload/status.
  c.onDidChangeState((e) => {
    if (e.newState !== State.Running) {
      states.clear();
      showStatus();
    }
  });
  serverError = undefined;
  states.clear();
  showStatus();
  try {
    await c.start();
  } catch (err) {
    serverError = err instanceof Error ? err.message : String(err);
    showStatus();
    throw err;
  }
  client = c;
  return c;
}

/** ensureClient returns the running client, starting it if needed. */
async function ensureClient(): Promise<LanguageClient> {
  if (client) {
    return client;
  }
  if (!starting) {
    starting = startClient().finally(() => {
      starting = undefined;
    });
  }
  return starting;
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    await c.stop();
  }
  states.clear();
}

async function runServerCommand(id: string, needsFile: boolean): Promise<unknown> {
  try {
    await ensureClient();
    if (needsFile && !activePythonUri()) {
      vscode.window.showWarningMessage('pyreload: open a Python file of the package to reload first.');
      return undefined;
    }
    // Through VS Code's command registry, so the client's middleware runs.
    return await vscode.commands.executeCommand(id);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    output.appendLine(`pyreload: ${id} failed: ${msg}`);
    vscode.window.showErrorMessage(`pyreload: ${msg}`);
    return undefined;
  }
}

function showLastReport(): void {
  for (const line of reportLines(last)) {
    output.appendLine(line);
  }
  output.show(true);
}

export async function activate(context: vscode.ExtensionContext): Promise<Api> {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel('pyreload');
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  status.name = 'pyreload';
  status.command = CLIENT_SHOW_REPORT;
  showStatus();
  status.show();

  context.subscriptions.push(
    output,
    status,
    reportEvents,
    statusEvents,
    vscode.commands.registerCommand(CLIENT_DEEP_RELOAD, () => runServerCommand(SERVER_DEEP_RELOAD, true)),
    vscode.commands.registerCommand(CLIENT_RESTART, () => runServerCommand(SERVER_RESTART, false)),
    vscode.commands.registerCommand(CLIENT_SHOW_REPORT, showLastReport),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration('pyreload')) {
        return;
      }
      if (e.affectsConfiguration('pyreload.path')) {
        await stopClient();
        await ensureClient();
        return;
      }
      // Pass the settings through; the server may also ask with workspace/configuration.
      await client?.sendNotification('workspace/didChangeConfiguration', {
        settings: { pyreload: await serverSettings() },
      });
    }),
    { dispose: () => void stopClient() },
  );

  // A new interpreter selected in the Python extension is a new pythonPath.
  const api = await pythonApi();
  const changed = api?.environments?.onDidChangeActiveEnvironmentPath;
  if (changed) {
    context.subscriptions.push(
      changed(async () => {
        await client?.sendNotification('workspace/didChangeConfiguration', {
          settings: { pyreload: await serverSettings() },
        });
      }),
    );
  }

  try {
    await ensureClient();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    output.appendLine(`pyreload: could not start the language server: ${msg}`);
    vscode.window.showErrorMessage(
      `pyreload: could not start \`${serverCommand(extensionPath)} serve\`: ${msg}. ` +
        'Set pyreload.path to the pyreload binary.',
    );
  }

  return {
    client: () => client,
    lastReport: () => last,
    onReport: (listener) => reportEvents.event(listener),
    statuses: () => [...states.values()],
    onStatus: (listener) => statusEvents.event(listener),
  };
}

export function deactivate(): Promise<void> {
  return stopClient();
}
