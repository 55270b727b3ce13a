// Number formatting and the diverging colour scale shared by every widget.

const MINUS = "\u2212";

/** A number for people: 4 significant digits, true minus sign, no trailing zeros. */
export function fmt(x, digits = 4) {
  if (x === null || x === undefined) return "–";
  if (typeof x !== "number") return String(x);
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : `${MINUS}∞`;
  if (x === 0) return "0";
  const ax = Math.abs(x);
  let s;
  if (ax >= 1e6 || ax < 1e-4) {
    s = x.toExponential(digits - 1).replace(/\.?0+e/, "e").replace("e+", "e");
  } else {
    s = Number(x.toPrecision(digits)).toString();
  }
  return s.replace(/-/g, MINUS);
}

/** A number in parentheses when negative, for products written out: 2 · (−1). */
export function fmtFactor(x) {
  const s = fmt(x);
  return typeof x === "number" && x < 0 ? `(${s})` : s;
}

/** Shape as text: [] → "scalar", [3, 2] → "3×2". */
export function fmtShape(shape) {
  return shape && shape.length ? shape.join("×") : "scalar";
}

/** Flatten nested lists into a flat array of numbers. */
export function flatten(value) {
  if (!Array.isArray(value)) return [value];
  const out = [];
  const walk = (v) => (Array.isArray(v) ? v.forEach(walk) : out.push(v));
  walk(value);
  return out;
}

/** min / mean / max of a tensor value (non-finite entries skipped for the mean). */
export function summary(value) {
  const flat = flatten(value);
  let min = Infinity, max = -Infinity, sum = 0, n = 0;
  for (const v of flat) {
    if (v < min) min = v;
    if (v > max) max = v;
    if (Number.isFinite(v)) { sum += v; n++; }
  }
  return { min, max, mean: n ? sum / n : NaN, count: flat.length };
}

const NEG = [203, 52, 42]; // red for negative gradients
const POS = [37, 99, 235]; // blue for positive gradients
const MID = [246, 246, 244];

/**
 * Diverging colour for a signed quantity: t in [−1, 1] (already scaled by the largest
 * magnitude); returns an rgb() string, white-ish at 0, red below, blue above.
 */
export function diverging(t) {
  if (!Number.isFinite(t)) return "rgb(120,120,120)";
  const a = Math.min(1, Math.abs(t));
  const end = t < 0 ? NEG : POS;
  const c = MID.map((m, i) => Math.round(m + (end[i] - m) * a));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** Strong text colour for a gradient's sign. */
export function signColour(x) {
  if (!Number.isFinite(x) || x === 0) return "#3b3b3b";
  return x < 0 ? "#b42318" : "#1d4ed8";
}

/** Scale a magnitude into [0, 1] on a soft log scale relative to `maxAbs`. */
export function magnitude(x, maxAbs) {
  if (!Number.isFinite(x) || !maxAbs) return Number.isFinite(x) ? 0 : 1;
  return Math.log1p((9 * Math.abs(x)) / maxAbs) / Math.log(10);
}
