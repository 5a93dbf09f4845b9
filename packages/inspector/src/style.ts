/** The page's only stylesheet, served from the inspector itself (no CDN: it works offline). */
export const STYLE = `
:root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db; --ok: #15803d; --bad: #b91c1c; --warn: #b45309; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; padding: 16px 24px 40px; max-width: 1280px; }
header { display: flex; align-items: baseline; gap: 16px; border-bottom: 1px solid var(--line); margin-bottom: 16px; }
header h1 { font-size: 18px; margin: 8px 0; }
header a { color: inherit; }
h2 { font-size: 15px; margin: 24px 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font: 12px/1.4 ui-monospace, monospace; }
pre { background: rgba(127,127,127,.1); padding: 12px; overflow: auto; white-space: pre-wrap; word-break: break-all; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin-bottom: 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
input, select, button { font: inherit; padding: 3px 6px; }
.state-handled { color: var(--ok); }
.state-failed, .state-dead { color: var(--bad); font-weight: 600; }
.state-running, .state-queued, .state-received { color: var(--warn); }
.muted { color: var(--muted); }
.cards { display: flex; gap: 24px; flex-wrap: wrap; }
.cards > div { min-width: 280px; }
svg text { font: 10px system-ui, sans-serif; fill: currentColor; }
.notice { padding: 8px 12px; border: 1px solid var(--line); margin: 12px 0; }
tr.current td { font-weight: 600; }
`;
