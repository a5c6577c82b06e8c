/**
 * HTML helpers of the local console pages: escaping and the page shell (styles shared by the pages).
 */

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLES = `
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #16191f; background: #f2f3f3; }
  header { background: #232f3e; color: #fff; padding: 10px 24px; font-weight: 600; }
  header a { color: #fff; text-decoration: none; }
  main { padding: 16px 24px; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  h2 { font-size: 16px; margin: 24px 0 8px; }
  section.panel { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.15); padding: 12px 16px; margin-bottom: 16px; overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e9ebed; vertical-align: top; }
  th { background: #fafafa; font-weight: 600; white-space: nowrap; }
  td.nowrap { white-space: nowrap; }
  td.detail { font-family: ui-monospace, monospace; font-size: 12px; white-space: pre-wrap; word-break: break-word; max-width: 560px; }
  .status { font-weight: 600; }
  .status-RUNNING { color: #0972d3; } .status-SUCCEEDED { color: #037f0c; }
  .status-FAILED, .status-TIMED_OUT, .status-ABORTED { color: #d91515; }
  dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
  dl.summary dt { color: #5f6b7a; } dl.summary dd { margin: 0; word-break: break-all; }
  .legend span { display: inline-flex; align-items: center; margin-right: 14px; font-size: 12px; }
  .legend i { width: 12px; height: 12px; border-radius: 3px; margin-right: 5px; border: 1px solid #687078; }
  svg text { font: 12px system-ui, sans-serif; }
`;

/** A complete page: title, optional auto-refresh (seconds), body HTML. */
export function page(title: string, body: string, refreshSeconds?: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
${refreshSeconds ? `<meta http-equiv="refresh" content="${refreshSeconds}">` : ''}
<style>${STYLES}</style>
</head>
<body>
<header><a href="/executions">Shelcaster · Step Functions executions (local)</a></header>
<main>
${body}
</main>
</body>
</html>
`;
}
