// Building the page's nodes: text always goes in as text (textContent), never parsed as HTML,
// so a CSV column named `<img onerror=…>` shows as those characters.

/**
 * An element: `attrs` sets properties (className, value, hidden, …), `dataset.*` and
 * `aria-*`/other attributes; each child is a node or a string (a text node).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "dataset") Object.assign(el.dataset, value);
    else if (key in el && !key.includes("-")) el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** `<option>`s for [value, label] pairs (label defaults to the value). */
export function options(items) {
  return items.map((item) => {
    const [value, label] = Array.isArray(item) ? item : [item, item];
    return new Option(label, String(value));
  });
}

/** Fill a select with `[[group, [[value, label], …]], …]` optgroups, keeping its value if it still exists. */
export function fillGroups(select, groups) {
  const keep = select.value;
  select.replaceChildren(...groups.map(([label, items]) => h("optgroup", { label }, options(items))));
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
}

/** `&`, `<`, `>`, `"` and `'` as entities: for the two widgets that must write markup (the
 * editor's highlight mirror and the graph's SVG). Everything else builds nodes with `h`. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
