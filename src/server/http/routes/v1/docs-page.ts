// The browsable API reference at /api/v1/docs: one self-contained page (no CDN, works offline)
// that fetches the OpenAPI document beside it and lists every operation with its access rule,
// parameters, request body and responses.
export const API_DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sentinel API reference</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f8fa; }
  header { background: #1b1f24; color: #fff; padding: 16px 32px; }
  main { max-width: 1000px; margin: 0 auto; padding: 16px 32px 64px; }
  h2 { margin-top: 32px; text-transform: capitalize; }
  details { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; margin: 8px 0; }
  summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 12px; align-items: baseline; }
  .method { font: 600 12px ui-monospace, monospace; text-transform: uppercase; width: 56px; }
  .get { color: #0969da; } .post { color: #1a7f37; } .patch { color: #9a6700; } .delete { color: #cf222e; }
  code, pre { font: 13px ui-monospace, monospace; }
  pre { background: #f6f8fa; padding: 8px; overflow: auto; max-height: 320px; }
  .body { padding: 0 16px 12px; }
  .access { font-size: 12px; background: #ddf4ff; border-radius: 10px; padding: 1px 8px; }
</style>
</head>
<body>
<header><strong>Sentinel API</strong> · <a style="color:#9cd" href="openapi.json">openapi.json</a></header>
<main id="root">Loading…</main>
<script>
const esc = (s) => String(s).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
const resolve = (doc, schema) => {
  if (schema && schema.$ref) return resolve(doc, doc.components.schemas[schema.$ref.split("/").pop()]);
  return schema;
};
const expand = (doc, schema, depth = 0) => {
  schema = resolve(doc, schema);
  if (!schema || typeof schema !== "object" || depth > 6) return schema;
  const out = Array.isArray(schema) ? [] : {};
  for (const [k, v] of Object.entries(schema)) out[k] = typeof v === "object" ? expand(doc, v, depth + 1) : v;
  return out;
};
fetch("openapi.json").then((r) => r.json()).then((doc) => {
  const groups = {};
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op.tags && op.tags[0]) || "other";
      (groups[tag] ||= []).push({ path, method, op });
    }
  }
  let html = "<p>" + esc(doc.info.description || "") + "</p>";
  html += "<p>Authenticate with <code>Authorization: Bearer snt_live_…</code> (API keys) or a session cookie plus <code>X-Sentinel-Org: &lt;slug&gt;</code>. Errors: <code>{code, message, requestId, details?}</code>.</p>";
  for (const [tag, items] of Object.entries(groups)) {
    html += "<h2>" + esc(tag) + "</h2>";
    for (const { path, method, op } of items) {
      const params = (op.parameters || []).map((p) => "<li><code>" + esc(p.name) + "</code> (" + esc(p.in) + (p.required ? ", required" : "") + ") " + esc(JSON.stringify(p.schema)) + "</li>").join("");
      const body = op.requestBody ? "<h4>Body</h4><pre>" + esc(JSON.stringify(expand(doc, op.requestBody.content["application/json"].schema), null, 2)) + "</pre>" : "";
      const responses = Object.entries(op.responses || {}).map(([code, r]) => {
        const schema = r.content && r.content["application/json"] ? r.content["application/json"].schema : null;
        return "<li><strong>" + esc(code) + "</strong> " + esc(r.description || "") + (code.startsWith("2") && schema ? "<pre>" + esc(JSON.stringify(expand(doc, schema), null, 2)) + "</pre>" : "") + "</li>";
      }).join("");
      html += '<details><summary><span class="method ' + esc(method) + '">' + esc(method) + "</span><code>" + esc(path) + "</code><span>" + esc(op.summary || "") + '</span><span class="access">' + esc(op["x-sentinel-access"] || "public") + "</span></summary>";
      html += '<div class="body"><p>' + esc(op.description || "") + "</p>" + (params ? "<h4>Parameters</h4><ul>" + params + "</ul>" : "") + body + "<h4>Responses</h4><ul>" + responses + "</ul></div></details>";
    }
  }
  document.getElementById("root").innerHTML = html;
}).catch((e) => { document.getElementById("root").textContent = "Could not load openapi.json: " + e; });
</script>
</body>
</html>
`;
