// Features: an input column (a string, its name) or a derived feature, a structured value
// {op: "square" | "sin", of: name} or {op: "product", of: [a, b]}. The page labels them itself.

/** Whether run requests carry derived features as objects (the server also reads the legacy
 * strings "x1^2", "x1*x2", "sin(x1)"). */
export const SEND_FEATURE_OBJECTS = true;

/** A feature name of the API as a feature: an input's exact name first, then the legacy forms. */
export function parseFeature(name, inputs = []) {
  if (typeof name !== "string" || inputs.includes(name)) return name;
  let m = /^(.+)\^2$/.exec(name);
  if (m) return { op: "square", of: m[1] };
  m = /^sin\((.+)\)$/.exec(name);
  if (m) return { op: "sin", of: m[1] };
  m = /^([^*]+)\*([^*]+)$/.exec(name);
  if (m) return { op: "product", of: [m[1], m[2]] };
  return name;
}

/** How the page writes a feature: x1, x1², x1·x2, sin x1. */
export function featureLabel(feature) {
  if (typeof feature === "string") return feature;
  if (feature.op === "input") return String(feature.of);
  if (feature.op === "square") return `${feature.of}²`;
  if (feature.op === "product") return feature.of.join("·");
  if (feature.op === "sin") return `sin ${feature.of}`;
  return JSON.stringify(feature);
}

/** The legacy string of a feature ("x1^2", "x1*x2", "sin(x1)"). */
export function legacyName(feature) {
  if (typeof feature === "string") return feature;
  if (feature.op === "square") return `${feature.of}^2`;
  if (feature.op === "product") return feature.of.join("*");
  if (feature.op === "sin") return `sin(${feature.of})`;
  throw new Error(`unknown feature op ${feature.op}`);
}

/** A feature as a run request carries it. */
export function featureWire(feature) {
  return SEND_FEATURE_OBJECTS || typeof feature === "string" ? feature : legacyName(feature);
}

/** A stable key for comparing features (a string stays itself). */
export function featureKey(feature) {
  return typeof feature === "string" ? feature : JSON.stringify(feature);
}

/** Whether a feature is an input column rather than a derived one. */
export function isColumn(feature) {
  return typeof feature === "string";
}
