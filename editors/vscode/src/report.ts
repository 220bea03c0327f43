// report.ts formats the `pyreload/report` notification the server sends after
// every reload, for the status bar item and "pyreload: Show Last Report".
// It imports nothing from vscode so the formatting is plain data in, text out.

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

/** isReport tells whether a notification's params look like a Report. */
export function isReport(v: unknown): v is Report {
  const o = v as Record<string, unknown> | null;
  return !!o && typeof o === 'object' && typeof o.package === 'string' && typeof o.ok === 'boolean';
}
