// report.ts formats the `pyreload/report` notification the server sends after
// every reload, and the `pyreload/status` notification it sends when a root's
// interpreters are ready, restarting or failed, for the status bar item and
// "pyreload: Show Last Report". It imports nothing from vscode so the
// formatting is plain data in, text out.

/** Report is the params of the `pyreload/report` notification. */
export interface Report {
  package: string;
  ok: boolean;
  modules: number;
  duration_ms: number;
  stale: number;
  summary: string;
}

/** Received is a report with the local time it arrived. */
export interface Received extends Report {
  at: Date;
}

/** StatusText is what the status bar item shows. */
export interface StatusText {
  text: string;
  tooltip: string;
}

function clock(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/** statusText renders a report: an icon for the result, the package, and the time. */
export function statusText(r: Received | undefined): StatusText {
  if (!r) {
    return { text: '$(sync) pyreload', tooltip: 'pyreload: no reload yet' };
  }
  let icon = '$(check)';
  let result = `reloaded ${r.modules} module${r.modules === 1 ? '' : 's'}`;
  if (!r.ok) {
    icon = '$(error)';
    result = 'rolled back';
  } else if (r.stale > 0) {
    icon = '$(warning)';
    result += `, ${r.stale} stale reference${r.stale === 1 ? '' : 's'}`;
  }
  const ms = Math.round(r.duration_ms);
  return {
    text: `${icon} ${r.package} ${clock(r.at)}`,
    tooltip: `pyreload: ${r.package} ${result} in ${ms} ms at ${clock(r.at)}` +
      (r.summary ? `\n${r.summary}` : '') + '\nClick to show the last report.',
  };
}

/** reportLines renders a report for the output channel. */
export function reportLines(r: Received | undefined): string[] {
  if (!r) {
    return ['pyreload: no reload has run yet in this window.'];
  }
  return [
    `[${r.at.toISOString()}] pyreload report for package ${r.package}`,
    `  result:   ${r.ok ? 'reloaded' : 'rolled back'}`,
    `  modules:  ${r.modules}`,
    `  duration: ${Math.round(r.duration_ms)} ms`,
    `  stale:    ${r.stale}`,
    ...(r.summary ? r.summary.split('\n').map((l) => `  ${l}`) : []),
  ];
}

/** InterpreterState is the state a `pyreload/status` notification carries. */
export type InterpreterState = 'ready' | 'restarting' | 'failed';

const STATES: readonly string[] = ['ready', 'restarting', 'failed'];

/** Status is the params of the `pyreload/status` notification. */
export interface Status {
  /** The workspace root, a file URI. */
  root: string;
  state: InterpreterState;
  /** The root's interpreter processes. */
  pids: number[];
}

/** ReceivedStatus is a status with the local time it arrived. */
export interface ReceivedStatus extends Status {
  at: Date;
}

/** isStatus tells whether a notification's params look like a Status. */
export function isStatus(v: unknown): v is Status {
  const o = v as Record<string, unknown> | null;
  return !!o && typeof o === 'object' && typeof o.root === 'string' && typeof o.state === 'string' && STATES.includes(o.state);
}

/** toStatus normalizes a Status (the server sends "pids": null when there are none). */
export function toStatus(s: Status, at: Date): ReceivedStatus {
  return { root: s.root, state: s.state, pids: Array.isArray(s.pids) ? s.pids.filter((p) => typeof p === 'number') : [], at };
}

/** rootName renders a root URI as a path for tooltips. */
export function rootName(uri: string): string {
  try {
    const u = new URL(uri);
    if (u.protocol === 'file:') {
      return decodeURIComponent(u.pathname);
    }
  } catch {
    // not a URL: show it as is
  }
  return uri;
}

function pidList(statuses: ReceivedStatus[]): string {
  const pids = statuses.flatMap((s) => s.pids);
  return pids.length ? ` (pid ${pids.join(', ')})` : '';
}

/**
 * statusBarText is what the status bar item shows, from the latest
 * `pyreload/status` of every root (statuses) and the last report:
 * "pyreload: starting…" until a root is ready, "pyreload: restarting…" while a
 * root's interpreter restarts, "pyreload: failed" (the tooltip says which root
 * and what to do) when one failed or the server could not start (serverError),
 * else the last report as statusText renders it.
 */
export function statusBarText(statuses: ReceivedStatus[], last: Received | undefined, serverError?: string): StatusText {
  const click = '\nClick to show the last report.';
  if (serverError) {
    return {
      text: '$(error) pyreload: failed',
      tooltip: `pyreload: the language server could not start: ${serverError}\nSet pyreload.path to the pyreload binary.`,
    };
  }
  const failed = statuses.filter((s) => s.state === 'failed');
  if (failed.length) {
    return {
      text: '$(error) pyreload: failed',
      tooltip: failed.map((s) => `pyreload: the Python interpreter of ${rootName(s.root)} failed at ${clock(s.at)}.`).join('\n') +
        '\nRun "pyreload: Restart Interpreter" to try again; the pyreload output channel has the details.' + click,
    };
  }
  const restarting = statuses.filter((s) => s.state === 'restarting');
  if (restarting.length) {
    return {
      text: '$(sync~spin) pyreload: restarting…',
      tooltip: restarting.map((s) => `pyreload: restarting the Python interpreter of ${rootName(s.root)} (since ${clock(s.at)})`).join('\n') + click,
    };
  }
  if (!statuses.length) {
    return { text: '$(sync~spin) pyreload: starting…', tooltip: 'pyreload: starting the Python interpreter; reloads wait until it is ready.' };
  }
  const s = statusText(last);
  if (!last) {
    s.tooltip = `pyreload: interpreter ready${pidList(statuses)}; no reload yet`;
  }
  return s;
}

/** isReport tells whether a notification's params look like a Report. */
export function isReport(v: unknown): v is Report {
  const o = v as Record<string, unknown> | null;
  return !!o && typeof o === 'object' && typeof o.package === 'string' && typeof o.ok === 'boolean';
}
