// The one HTML helper: every interpolation of html`…`/svg`…` is text, values can't reach
// script-bearing attributes, and ESLint refuses innerHTML and its kin in the pages' modules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ESLint } from "eslint";
import { html, svg } from "../../static/src/common/dom.js";

const INJECTIONS = [
  "<img src=x onerror=window.__pwned=1>",
  '"><svg onload=window.__pwned=1>',
  "</script><script>window.__pwned=1</script>",
  "' onmouseover='window.__pwned=1",
  "&lt;b&gt; & {{7*7}}",
];

test("an interpolated value in text or a quoted attribute has no markup left", () => {
  for (const bad of INJECTIONS) {
    const text = html`<p class="x ${bad}" data-id="${bad}">${bad}</p>`.text;
    assert.doesNotMatch(text.replace(/^<p class="x |" data-id="|">|<\/p>$/g, ""), /[<>"']/, text);
    assert.equal(text.match(/</g).length, 2, text); // the template's own <p> and </p>
    assert.match(text, /&lt;|&amp;|&quot;|&#39;/);
  }
  assert.equal(html`<b>${"a&b"}</b>`.text, "<b>a&amp;b</b>");
  assert.equal(svg`<text>${"<tspan/>"}</text>`.text, "<text>&lt;tspan/&gt;</text>");
});

test("nested markup, arrays and empty values", () => {
  const items = ["<i>", "b"].map((x) => html`<li>${x}</li>`);
  assert.equal(html`<ul>${items}</ul>`.text, "<ul><li>&lt;i&gt;</li><li>b</li></ul>");
  assert.equal(html`<p>${null}${undefined}${false}${0}</p>`.text, "<p>0</p>");
  assert.throws(() => html`<p title="${html`<b>`}">`, /markup can't go in the title attribute/);
});

test("a value may not go where a browser would run or load it", () => {
  for (const attribute of ["onclick", "onerror", "href", "src", "style", "xlink:href", "srcdoc", "formaction"]) {
    // As a tag function is called: the static parts, then the values.
    assert.throws(() => html([`<a ${attribute}="`, '">'], "javascript:alert(1)"), /interpolated into/, attribute);
    assert.throws(() => html([`<a class="x" ${attribute.toUpperCase()} = "`, '">'], "x"), /interpolated into/, attribute);
  }
  assert.throws(() => html`<a ${"onclick=alert(1)"}>`, /double-quoted attribute value/);
  assert.throws(() => html`<a title=${"x onclick=alert(1)"}>`, /double-quoted attribute value/);
  assert.throws(() => html`<a title='${"x"}'>`, /double-quoted attribute value/);
  assert.equal(html`<a title="a" data-x="${"1"}">`.text, '<a title="a" data-x="1">');
});

test("ESLint refuses every way of parsing a string as HTML in the pages' modules", async () => {
  const eslint = new ESLint();
  const code = [
    "export function bad(el, x) {",
    "  el.innerHTML = x;",
    '  el["outerHTML"] = x;',
    '  el.insertAdjacentHTML("beforeend", x);',
    "  document.write(x);",
    '  new DOMParser().parseFromString(x, "text/html");',
    "  document.createRange().createContextualFragment(x);",
    "}",
  ].join("\n");
  const [result] = await eslint.lintText(code, { filePath: "static/src/train/probe.js" });
  const lines = new Set(result.messages.filter((m) => m.ruleId?.startsWith("no-restricted")).map((m) => m.line));
  assert.deepEqual([...lines].sort(), [2, 3, 4, 5, 6, 7]);
  const [clean] = await eslint.lintText("export const p = (el, x) => { el.textContent = x; };\n", { filePath: "static/src/train/probe.js" });
  assert.equal(clean.errorCount, 0);
});
