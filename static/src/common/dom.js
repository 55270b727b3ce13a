// Building the page's nodes: text always goes in as text (textContent, `h`), never parsed as
// HTML, so a CSV column named `<img onerror=…>` shows as those characters. A widget that is
// clearer written as markup uses the `html`/`svg` tagged templates, which escape every
// interpolation; ESLint forbids innerHTML and its kin everywhere else.

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

/**
 * Markup from a template literal whose every interpolation is text: html`<p class="x">${name}</p>`.
 * A value is escaped (a CSV column named `<img onerror=…>` stays those characters); an array is
 * its items in turn; a Markup (another html`…`/svg`…`) is inserted as the markup it is. In a tag,
 * a value may only be (part of) a double-quoted attribute value, never of an `on…`, `href`,
 * `src`, `style` or similar attribute: those throw, so nothing typed can become script or a
 * link. Put the result in the page with `render` or `fragment`.
 */
export function html(strings, ...values) {
  return build("html", strings, values);
}

/** The same as `html`, for SVG content (graph nodes, edges): parsed in the SVG namespace. */
export function svg(strings, ...values) {
  return build("svg", strings, values);
}

/** Markup built by `html` or `svg`: only these tags make it, so its text is always escaped. */
class Markup {
  constructor(text, space) {
    this.text = text;
    this.space = space;
  }
}

/** The nodes of `markup` as a DocumentFragment (parsed in an inert template: nothing runs or loads). */
export function fragment(markup) {
  if (!(markup instanceof Markup)) throw new TypeError("fragment() takes html`…` or svg`…` markup");
  const template = document.createElement("template");
  // The one place the page parses markup; everything in it was escaped by `build`.
  // eslint-disable-next-line no-restricted-properties -- the one parse, of escaped markup
  template.innerHTML = markup.space === "svg" ? `<svg>${markup.text}</svg>` : markup.text;
  if (markup.space === "html") return template.content;
  const nodes = document.createDocumentFragment();
  nodes.append(...template.content.firstChild.childNodes);
  return nodes;
}

/** Replace `container`'s children with the nodes of `markup`. */
export function render(container, markup) {
  container.replaceChildren(fragment(markup));
  return container;
}

/** Attributes whose value is a URL, script or style: no interpolation may reach them. */
const UNSAFE_ATTRIBUTE = /^(on.*|href|xlink:href|src|srcset|srcdoc|action|formaction|style|data)$/i;

function build(space, strings, values) {
  let text = strings[0];
  values.forEach((value, i) => {
    text += piece(value, text) + strings[i + 1];
  });
  return new Markup(text, space);
}

function piece(value, before) {
  const attribute = openAttribute(before);
  if (attribute === null) {
    if (value instanceof Markup) return value.text;
    if (Array.isArray(value)) return value.map((v) => piece(v, before)).join("");
    return value === null || value === undefined || value === false ? "" : escapeText(value);
  }
  if (value instanceof Markup || Array.isArray(value)) throw new TypeError(`markup can't go in the ${attribute} attribute`);
  if (UNSAFE_ATTRIBUTE.test(attribute)) throw new TypeError(`no value may be interpolated into a ${attribute} attribute`);
  return escapeText(value);
}

/** The attribute whose double-quoted value `before` ends inside, or null in text; throws elsewhere in a tag. */
function openAttribute(before) {
  const tagStart = before.lastIndexOf("<");
  if (tagStart <= before.lastIndexOf(">")) return null;
  const tag = before.slice(tagStart);
  const open = /([^\s"'=<>/]+)\s*=\s*"[^"]*$/.exec(tag);
  if (!open || (tag.match(/"/g) || []).length % 2 === 0) {
    throw new TypeError("in a tag, a value may only go inside a double-quoted attribute value");
  }
  return open[1];
}

/** `&`, `<`, `>`, `"` and `'` as entities: safe in text and in a double-quoted attribute value. */
function escapeText(text) {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
