// The program editor: a plain textarea over a mirror that draws the error underline and the
// highlight of the selected node's source span at the same character positions.

import { html, render } from "../common/dom.js";

export class Editor {
  /** `onInput(source)` fires on every edit. */
  constructor(container, { onInput = () => {} } = {}) {
    container.classList.add("editor");
    render(container, html`<div class="editor-box">
<pre class="editor-mirror" aria-hidden="true"></pre>
<textarea class="editor-text" spellcheck="false" autocomplete="off" autocapitalize="off" aria-label="program"></textarea>
</div>
<p class="editor-error" role="alert" hidden></p>`);
    this.text = container.querySelector("textarea");
    this.mirror = container.querySelector(".editor-mirror");
    this.errorLine = container.querySelector(".editor-error");
    this.state = { source: "", error: null, highlight: null };
    this.text.addEventListener("input", () => {
      this.state.source = this.text.value;
      this.state.error = null; // stale once the text changes; the next answer says
      this.render();
      onInput(this.text.value);
    });
    this.text.addEventListener("scroll", () => {
      this.mirror.scrollTop = this.text.scrollTop;
      this.mirror.scrollLeft = this.text.scrollLeft;
    });
  }

  /**
   * `state.source` (program text), `state.error` ({message, line, column, span} or null),
   * `state.highlight` ([start, end) of the selected node's source, or null).
   */
  update(state) {
    Object.assign(this.state, state);
    if (this.text.value !== this.state.source) this.text.value = this.state.source;
    this.render();
  }

  render() {
    const { source, error, highlight } = this.state;
    const marks = [];
    if (highlight) marks.push({ span: highlight, cls: "hl" });
    if (error?.span) {
      let [s, e] = error.span;
      if (e <= s) e = s + 1; // an error at the end still gets a visible mark
      marks.push({ span: [s, e], cls: "err" });
    }
    render(this.mirror, html`${markUp(source, marks)}\n`);
    this.errorLine.hidden = !error;
    if (error) {
      const where = error.line ? `Line ${error.line}, column ${error.column}: ` : "";
      this.errorLine.textContent = where + error.message;
    }
  }
}

/** Markup of `source` with each mark's [start, end) wrapped in a span (marks may nest or overlap). */
function markUp(source, marks) {
  const cuts = new Set([0, source.length + 1]);
  for (const m of marks) {
    cuts.add(Math.max(0, m.span[0]));
    cuts.add(Math.max(0, m.span[1]));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    let piece = source.slice(a, b);
    const classes = marks.filter((m) => m.span[0] <= a && b <= m.span[1]).map((m) => m.cls);
    if (!piece && classes.includes("err") && a >= source.length) piece = " ";
    if (!piece) continue;
    pieces.push(classes.length ? html`<span class="${classes.join(" ")}">${piece}</span>` : piece);
  }
  return pieces;
}
