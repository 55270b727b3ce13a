// The presets menu: the seeds' scenarios, grouped by the seed they come from.

export class PresetMenu {
  /** `onPick(preset)` is called when the user chooses a preset. */
  constructor(select, { onPick }) {
    this.select = select;
    this.presets = [];
    select.addEventListener("change", () => {
      const preset = this.presets.find((p) => p.id === select.value);
      if (preset) onPick(preset);
    });
  }

  /** `state.presets` (the table) and `state.selected` (an id, or null for "your settings"). */
  update({ presets, selected }) {
    if (presets) {
      this.presets = presets;
      const groups = new Map();
      for (const p of presets) groups.set(p.group, [...(groups.get(p.group) || []), p]);
      this.select.innerHTML = `<option value="">— your own settings —</option>` + [...groups]
        .map(([group, items]) => `<optgroup label="${group}">${items.map((p) => `<option value="${p.id}">${p.title}</option>`).join("")}</optgroup>`)
        .join("");
    }
    this.select.value = selected || "";
  }
}
