// The presets menu: the server's preset table (GET /api/v1/datasets `presets`), grouped by the
// seed each scenario comes from, and the note of the chosen one.
import { h, options } from "../common/dom.js";
import { presetGroups } from "./catalogue.js";

export class PresetMenu {
  /** `onPick(preset)` is called when the user chooses a preset. */
  constructor(select, note, { onPick }) {
    this.select = select;
    this.note = note;
    this.presets = {};
    select.addEventListener("change", () => {
      const preset = this.presets[select.value];
      if (preset) onPick(preset);
    });
  }

  /** `state.presets` (the table, keyed by id), `state.selected` (an id, or null), `state.note`. */
  update({ presets, selected, note }) {
    if (presets && presets !== this.presets) {
      this.presets = presets;
      this.select.replaceChildren(new Option("— your own settings —", ""), ...presetGroups(presets).map(([label, items]) => h("optgroup", { label }, options(items))));
    }
    this.select.value = selected || "";
    this.note.textContent = note || "";
  }
}
