// Data with three or more inputs cannot be drawn as a plane: show it as a table, with the
// model's current answer for the rows whose target is unknown ("should I go out tonight?").
import { h } from "../common/dom.js";
import { fmt } from "../common/format.js";

/** Rows shown at most (the rest is summarised). */
const MAX_ROWS = 12;
/** Input columns shown at most (seed 004's random data has 1,000). */
const MAX_COLUMNS = 10;

export class TableView {
  constructor(container) {
    container.classList.add("table-view");
    this.container = container;
  }

  /** `state.points` (the data) and `state.unknown` (the model's answers for the unknown rows). */
  update({ points, unknown }) {
    if (!points) return;
    const inputs = points.input_names;
    const cut = inputs.length > MAX_COLUMNS;
    const shown = (x) => (cut ? [...x.slice(0, MAX_COLUMNS).map((v) => fmt(v)), "…"] : x.map((v) => fmt(v)));
    const cells = (tag, values, last) => [...values.map((v) => h(tag, {}, v)), last];
    const head = h("tr", {}, cells("th", cut ? [...inputs.slice(0, MAX_COLUMNS), "…"] : inputs, h("th", {}, points.target_names.join(", "))));
    const target = (y) => (Array.isArray(y) ? y.map((v) => fmt(v)).join(", ") : fmt(y));
    const rows = points.train.x.slice(0, MAX_ROWS).map((x, i) => h("tr", {}, cells("td", shown(x), h("td", {}, target(points.train.y[i])))));
    const asked = (points.unknown || []).map((x, i) => {
      const answer = unknown ? unknown[i] : null;
      const value = Array.isArray(answer) ? answer[0] : answer;
      const verdict = value === null || value === undefined ? "?" : points.task === "classification" ? `${value >= 0.5 ? "yes (1)" : "no (0)"} · ${fmt(value, 3)}` : fmt(value);
      return h("tr", { className: "unknown" }, cells("td", shown(x), h("td", { className: "answer" }, verdict)));
    });
    const more = points.train.x.length - MAX_ROWS;
    this.container.replaceChildren(...[
      h("p", { className: "hint" }, `${inputs.length} inputs: too many to draw as a plane, so here is the data${asked.length ? " and the model's answer for the rows to predict" : ""}.`),
      h("table", { className: "data-table" }, h("thead", {}, head), h("tbody", {}, rows, asked)),
      more > 0 ? h("p", { className: "hint" }, `… and ${more} more training rows`) : null,
    ].filter(Boolean));
  }
}
