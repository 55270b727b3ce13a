// Data with three or more inputs cannot be drawn as a plane: show it as a table, with the
// model's current answer for the rows whose target is unknown ("should I go out tonight?").
import { fmt } from "../common/format.js";

/** Rows shown at most (the rest is summarised). */
const MAX_ROWS = 12;

export class TableView {
  constructor(container) {
    container.classList.add("table-view");
    this.container = container;
  }

  /** `state.points` (the data) and `state.unknown` (the model's answers for the unknown rows). */
  update({ points, unknown }) {
    if (!points) return;
    const names = [...points.input_names, points.target_names[0]];
    const head = `<tr>${names.map((n) => `<th>${n}</th>`).join("")}</tr>`;
    const rows = points.train.x.slice(0, MAX_ROWS).map((x, i) => `<tr>${[...x, points.train.y[i]].map((v) => `<td>${fmt(v)}</td>`).join("")}</tr>`);
    const asked = (points.unknown || []).map((x, i) => {
      const answer = unknown ? unknown[i] : null;
      const value = Array.isArray(answer) ? answer[0] : answer;
      const verdict = value === null || value === undefined ? "?" : points.task === "classification" ? `${value >= 0.5 ? "yes (1)" : "no (0)"} · ${fmt(value, 3)}` : fmt(value);
      return `<tr class="unknown">${x.map((v) => `<td>${fmt(v)}</td>`).join("")}<td class="answer">${verdict}</td></tr>`;
    });
    const more = points.train.x.length > MAX_ROWS ? `<p class="hint">… and ${points.train.x.length - MAX_ROWS} more training rows</p>` : "";
    this.container.innerHTML = `<p class="hint">${points.input_names.length} inputs: too many to draw as a plane, so here is the data${asked.length ? " and the model's answer for the rows to predict" : ""}.</p>
<table class="data-table"><thead>${head}</thead><tbody>${rows.join("")}${asked.join("")}</tbody></table>${more}`;
  }
}
