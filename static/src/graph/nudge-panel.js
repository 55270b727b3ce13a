// Nudge an input by ε and compare the output's actual change with the gradient's prediction.
import { fmt } from "../common/format.js";
import { html, render } from "../common/dom.js";

export class NudgePanel {
  /** `onNudge(input, epsilon)` asks the server; its answer comes back through update({result}). */
  constructor(container, { onNudge = () => {} } = {}) {
    container.classList.add("nudge-panel");
    render(container, html`<div class="row">
<label>Input <select class="nudge-input" aria-label="input to nudge"></select></label>
<label>ε <input class="nudge-eps" type="number" step="any" value="0.001" aria-label="epsilon"></label>
<button type="button" class="nudge-go">Nudge</button>
</div>
<div class="nudge-result" aria-live="polite"></div>`);
    this.select = container.querySelector(".nudge-input");
    this.eps = container.querySelector(".nudge-eps");
    this.result = container.querySelector(".nudge-result");
    this.button = container.querySelector(".nudge-go");
    this.button.addEventListener("click", () => {
      const eps = Number(this.eps.value);
      if (this.select.value && Number.isFinite(eps) && eps !== 0) onNudge(this.select.value, eps);
    });
  }

  /** `state.inputs` (scalar input names), `state.output` (name), `state.result` (the API's nudge object or null). */
  update({ inputs, output, result }) {
    if (inputs) {
      const keep = this.select.value;
      if ([...this.select.options].map((o) => o.value).join() !== inputs.join()) {
        this.select.replaceChildren(...inputs.map((name) => new Option(name, name)));
        if (inputs.includes(keep)) this.select.value = keep;
        this.result.replaceChildren();
      }
      this.button.disabled = !inputs.length;
    }
    if (output) this.output = output;
    if (result === undefined) return;
    if (result === null) {
      this.result.replaceChildren();
      return;
    }
    const { input, epsilon, output_before: before, output_after: after, actual_change: actual, predicted_change: predicted } = result;
    const out = this.output || "output";
    const verb = (x) => (x < 0 ? "decreases" : x > 0 ? "increases" : "does not change");
    render(this.result, html`<p class="nudge-story">If <b></b> increases by <b></b>, <b></b> <span class="verb"></span> by <b class="big"></b>.</p>
<table class="nudge-table"><tr><th></th><th class="out-name"></th></tr>
<tr><td>before</td><td class="num"></td></tr><tr><td>after</td><td class="num"></td></tr>
<tr><td>actual change</td><td class="num actual"></td></tr><tr><td>predicted (grad × ε)</td><td class="num predicted"></td></tr></table>`);
    const b = this.result.querySelectorAll(".nudge-story b");
    b[0].textContent = input;
    b[1].textContent = fmt(epsilon);
    b[2].textContent = out;
    this.result.querySelector(".out-name").textContent = out;
    b[3].textContent = fmt(Math.abs(actual), 3);
    this.result.querySelector(".verb").textContent = verb(actual);
    const cells = this.result.querySelectorAll("td.num");
    [before, after, actual, predicted].forEach((v, i) => (cells[i].textContent = fmt(v, i >= 2 ? 3 : 6)));
  }
}
