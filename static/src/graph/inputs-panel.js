// Controls for the program's inputs: a slider and a number field per scalar, a compact JSON
// editor per tensor (nested lists).
import { h, html, render } from "../common/dom.js";
import { fmtShape } from "../common/format.js";

/** Slider half-range for a value v: at least 5, and comfortably around v. */
const sliderSpan = (v) => Math.max(5, Math.ceil(Math.abs(v) * 2));

export class InputsPanel {
  /** `onChange(name, value)` fires while a control moves (value: number or nested lists). */
  constructor(container, { onChange = () => {} } = {}) {
    this.container = container;
    this.onChange = onChange;
    this.names = [];
    container.classList.add("inputs-panel");
  }

  /** `state.inputs`: [{name, shape}] from the graph; `state.values`: {name: value}. */
  update({ inputs, values }) {
    const names = inputs.map((i) => `${i.name}:${Array.isArray(values[i.name]) ? "t" : "s"}`);
    if (names.join() !== this.names.join()) {
      this.names = names;
      this.build(inputs, values);
    }
    for (const i of inputs) this.show(i.name, values[i.name]);
  }

  build(inputs, values) {
    this.controls = new Map();
    this.container.replaceChildren();
    if (!inputs.length) {
      this.container.replaceChildren(h("p", { className: "hint" }, "This program has no inputs."));
      return;
    }
    for (const { name, shape } of inputs) {
      const row = document.createElement("div");
      const value = values[name];
      if (Array.isArray(value)) {
        row.className = "input-row tensor";
        render(row, html`<label><span class="input-name"></span> <span class="shape"></span></label><textarea rows="2" spellcheck="false"></textarea>`);
        row.querySelector(".shape").textContent = fmtShape(shape);
        const area = row.querySelector("textarea");
        area.addEventListener("input", () => {
          try {
            const parsed = JSON.parse(area.value);
            area.classList.remove("invalid");
            this.onChange(name, parsed);
          } catch {
            area.classList.add("invalid");
          }
        });
        this.controls.set(name, { area });
      } else {
        row.className = "input-row scalar";
        render(row, html`<label><span class="input-name"></span></label><input type="range" step="any"><input type="number" step="any">`);
        const [range, number] = row.querySelectorAll("input");
        range.setAttribute("aria-label", `${name} slider`);
        number.setAttribute("aria-label", `${name} value`);
        range.addEventListener("input", () => {
          const v = Number(range.value);
          number.value = String(v);
          this.onChange(name, v);
        });
        number.addEventListener("input", () => {
          if (number.value === "" || !Number.isFinite(Number(number.value))) return;
          const v = Number(number.value);
          this.setRange(range, v);
          this.onChange(name, v);
        });
        this.controls.set(name, { range, number });
      }
      row.dataset.input = name;
      row.querySelector(".input-name").textContent = name;
      this.container.appendChild(row);
    }
  }

  setRange(range, v) {
    const span = sliderSpan(v);
    if (v < Number(range.min) || v > Number(range.max) || range.dataset.span === undefined) {
      const centre = Math.round(v);
      range.min = String(centre - span);
      range.max = String(centre + span);
      range.step = String(span / 500);
      range.dataset.span = String(span);
    }
    range.value = String(v);
  }

  show(name, value) {
    const c = this.controls?.get(name);
    if (!c) return;
    if (c.area) {
      if (document.activeElement !== c.area) c.area.value = compactJson(value);
      return;
    }
    if (document.activeElement !== c.number) c.number.value = String(value);
    if (document.activeElement !== c.range) this.setRange(c.range, value);
  }
}

/** Nested lists on as few lines as reads well: one row of a matrix per line. */
export function compactJson(value) {
  if (!Array.isArray(value) || !Array.isArray(value[0])) return JSON.stringify(value);
  return "[" + value.map((row) => JSON.stringify(row)).join(",\n ") + "]";
}
