/**
 * report.html as one self-contained file: the styles, uPlot (read from node_modules and inlined), the report
 * data as a JSON block, and the drawing script. Nothing is fetched when the page opens, so it still works from
 * disk years later, offline.
 *
 * Safety: the data is embedded as JSON inside <script type="application/json"> with every `<` escaped (so no
 * value can close the element), and the drawing script puts values into the page through textContent only.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { reportClient } from './client-script.js';
import type { ReportData } from './report-data.js';
import { escapeHtml } from './escape.js';
import { topologySvg } from './topology-svg.js';

const require = createRequire(import.meta.url);
let assets: { js: string; css: string } | undefined;

function uplotAssets(): { js: string; css: string } {
  if (!assets) {
    const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    assets = { js: inlineScript(js), css: css.replace(/<\/style/gi, '<\\/style') };
  }
  return assets;
}

/** Text that goes inside a <script> element must not contain `</script`. */
function inlineScript(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script');
}

export { escapeHtml };

const SCRIPT_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** JSON that is safe inside any <script> element: `<`, `>`, `&` and the JS line separators escaped. */
export function jsonForScript(data: unknown): string {
  // One pass over what may be many megabytes.
  return JSON.stringify(data).replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_ESCAPES[c]);
}

export const REPORT_CSS = `
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; background: #fafafa; }
#app { max-width: 1400px; margin: 0 auto; padding: 12px 20px 40px; }
h1 { font-size: 20px; margin: 6px 0; word-break: break-all; }
h2 { font-size: 17px; border-bottom: 1px solid #ddd; padding-bottom: 3px; margin-top: 28px; }
h3 { font-size: 15px; margin: 14px 0 6px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 4px; color: #fff; font-weight: 600; font-size: 0.9em; }
.v-valid { background: #2e7d32; } .v-invalid { background: #c62828; } .v-unknown { background: #ef8f00; }
.v-invalid-card { border-left: 4px solid #c62828; } .v-valid-card { border-left: 4px solid #2e7d32; } .v-unknown-card { border-left: 4px solid #ef8f00; }
.cap { font-size: 15px; }
table { border-collapse: collapse; margin: 6px 0; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
.facts dt { color: #666; } .facts dd { margin: 0; word-break: break-word; }
.rerun code { background: #eee; padding: 2px 5px; border-radius: 3px; font-size: 12px; word-break: break-all; }
.warning { color: #a15c00; }
nav { margin: 10px 0; }
button { font: inherit; cursor: pointer; border: 1px solid #bbb; background: #fff; border-radius: 4px; padding: 2px 9px; margin-right: 4px; }
button.jump { background: #c62828; color: #fff; border-color: #c62828; margin-left: 14px; }
.toolbar { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; margin-bottom: 6px; }
.legend span { margin-right: 12px; white-space: nowrap; }
.legend i { display: inline-block; width: 12px; height: 10px; margin-right: 4px; vertical-align: middle; }
.hint { color: #777; font-size: 12px; }
.canvas-wrap { position: relative; background: #fff; border: 1px solid #ddd; }
canvas#timeline { display: block; cursor: crosshair; }
.tip { display: none; position: absolute; pointer-events: none; background: rgba(30,30,30,0.92); color: #fff; padding: 5px 8px; border-radius: 4px; font-size: 12px; max-width: 300px; word-break: break-word; z-index: 5; }
.selected { background: #fff; border: 1px solid #ddd; border-top: none; padding: 6px 10px; font-size: 13px; min-height: 20px; }
.chart { background: #fff; border: 1px solid #ddd; margin-bottom: 10px; }
.checker { background: #fff; border: 1px solid #ddd; padding: 4px 12px 10px; margin: 10px 0; }
.finding { border-top: 1px dashed #ddd; padding: 8px 0; }
.kind { font-family: ui-monospace, monospace; background: #fde7e7; color: #8b0000; padding: 1px 6px; border-radius: 3px; margin-right: 8px; }
.key { color: #555; }
.message { white-space: pre-wrap; word-break: break-word; }
.links { font-size: 12px; word-break: break-word; }
a.oplink { font-family: ui-monospace, monospace; }
pre { background: #f5f5f5; padding: 6px 8px; overflow: auto; max-height: 360px; font-size: 12px; white-space: pre-wrap; word-break: break-word; }
.prefix { font-family: ui-monospace, monospace; font-size: 12px; max-height: 300px; overflow: auto; }
.prefix-blocked { color: #c62828; font-weight: 700; }
.blocked { background: #fff3f3; padding: 6px 8px; border-radius: 3px; }
.cex-wrap { overflow-x: auto; background: #fff; border: 1px solid #eee; }
.cex-label { font: 11px ui-monospace, monospace; fill: #000; pointer-events: none; }
.cex-proc { font: 12px system-ui, sans-serif; fill: #444; }
.cex-op { cursor: pointer; }
.cex-blocked rect { stroke: #000; stroke-width: 2; }
.explanation { background: #f7f7ff; padding: 6px 8px; }
.finals td { font-family: ui-monospace, monospace; font-size: 12px; max-width: 420px; word-break: break-all; }
.topology-wrap { background: #fff; border: 1px solid #ddd; display: inline-block; }
.finals td.divergent { background: #fde0e0; } .finals td.failed, .finals td.missing { background: #fff3cd; }
footer { margin-top: 30px; color: #888; font-size: 12px; }
`;

export function renderReportHtml(data: ReportData): string {
  const { js, css } = uplotAssets();
  const title = `faultline: ${data.verdict === true ? 'valid' : data.verdict === false ? 'INVALID' : data.verdict === null ? 'history' : 'unknown'} — ${data.title}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
<style>${REPORT_CSS}</style>
</head>
<body>
<div id="app"><noscript>This report draws itself with JavaScript; the same data is in results.json and the history file.</noscript></div>
${data.topology && !data.topology.omitted ? `<template id="topology-svg">${topologySvg(data.topology)}</template>\n` : ''}<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${js}</script>
<script>(${inlineScript(reportClient.toString())})();</script>
</body>
</html>
`;
}
