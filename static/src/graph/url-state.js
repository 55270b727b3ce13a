// The view in the URL: program, values, output, selected node and dtype live in the hash, so a
// shared link reproduces exactly what the sender saw.

/** Write the view into the location hash without adding a history entry. */
export function writeHash(view) {
  const compact = { s: view.source, v: view.values, o: view.output || undefined, n: view.selected || undefined, d: view.dtype !== "float32" ? view.dtype : undefined, e: view.example || undefined };
  history.replaceState(null, "", `#${encodeURIComponent(JSON.stringify(compact))}`);
}

/** Read the view from the location hash, or null when there is none (or it is damaged). */
export function readHash() {
  const raw = location.hash.slice(1);
  if (!raw) return null;
  try {
    const c = JSON.parse(decodeURIComponent(raw));
    if (typeof c.s !== "string") return null;
    return { source: c.s, values: c.v || {}, output: c.o || null, selected: c.n || null, dtype: c.d || "float32", example: c.e || null };
  } catch {
    return null;
  }
}
