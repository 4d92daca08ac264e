/** The panel's style sheet, served as `panel.css` (CSP `style-src 'self'`: no inline style anywhere). */
export const panelStyles = `
:root {
  color-scheme: light;
  --ink: #172b4d; --muted: #5e6c84; --line: #dfe1e6; --panel: #ffffff; --page: #f4f5f7; --accent: #0052cc;
  --received: #0065ff; --dropped: #ff991f; --delivered: #36b37e; --failed: #de350b; --poisoned: #6554c0;
  font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink); }
header.top { display: flex; justify-content: space-between; align-items: baseline; padding: 16px 24px; background: var(--panel); border-bottom: 1px solid var(--line); }
header.top h1 { font-size: 20px; margin: 0; }
header.top .who { color: var(--muted); font-size: 12px; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; padding: 16px 24px 32px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 16px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
section h2 { font-size: 16px; margin: 0 0 12px; }
[hidden] { display: none !important; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 12px; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
pre.key { margin: 4px 0 0; padding: 8px; background: var(--page); border-radius: 4px; font-size: 11px; max-height: 96px; overflow: auto; white-space: pre-wrap; word-break: break-all; }
code { font-size: 12px; }
button { font: inherit; padding: 4px 10px; border: 1px solid var(--line); border-radius: 4px; background: #fafbfc; color: var(--ink); cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button:disabled { opacity: .5; cursor: default; }
.row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-top: 8px; }
.status { font-size: 13px; }
.ok { color: #006644; } .bad { color: #bf2600; } .warn { color: #974f0c; } .muted { color: var(--muted); }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.chart svg { width: 100%; height: auto; display: block; }
.chart .axis { stroke: var(--line); }
.chart .label { fill: var(--muted); font-size: 10px; }
.s-received { fill: var(--received); } .s-dropped { fill: var(--dropped); } .s-delivered { fill: var(--delivered); }
.s-failed { fill: var(--failed); } .s-poisoned { fill: var(--poisoned); }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 6px 16px; padding: 0; margin: 8px 0 0; }
ul.legend li { display: flex; align-items: center; gap: 6px; }
ul.legend .swatch { width: 10px; height: 10px; border-radius: 2px; display: inline-block; }
.sw-received { background: var(--received); } .sw-dropped { background: var(--dropped); } .sw-delivered { background: var(--delivered); }
.sw-failed { background: var(--failed); } .sw-poisoned { background: var(--poisoned); }
.banner { grid-column: 1 / -1; padding: 10px 14px; border-radius: 6px; background: #ffebe6; color: #bf2600; border: 1px solid #ffbdad; }
textarea, input[type=text], input[type=search] { font: inherit; width: 100%; padding: 6px; border: 1px solid var(--line); border-radius: 4px; }
textarea { min-height: 80px; font-family: ui-monospace, monospace; font-size: 12px; }
label { display: block; margin: 8px 0 4px; color: var(--muted); }
form.search { display: flex; gap: 8px; margin-bottom: 8px; }
form.edit { display: grid; grid-template-columns: max-content 1fr; gap: 6px 10px; align-items: center; margin-top: 12px; border-top: 1px solid var(--line); padding-top: 10px; }
form.search input { flex: 1; }
.confirm { margin-top: 8px; padding: 10px 12px; border: 1px solid #ffc400; border-radius: 6px; background: #fffae6; }
.confirm p { margin: 0; }
button.more { margin-top: 8px; }
[data-time] { text-decoration: underline dotted var(--line); }
`;
