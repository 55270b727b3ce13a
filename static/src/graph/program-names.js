// A first guess at a program's inputs from its text (names used but never assigned), so the
// first request can carry values; the server's answer is the authority and corrects it.

const TOKEN = /#[^\n]*|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\.?[A-Za-z_][A-Za-z_0-9]*|\S/g;

/** Names used but never assigned, in order of first use; `functions` are not names. */
export function guessInputs(source, functions) {
  const assigned = new Set();
  for (const statement of source.split(/[\n;]/)) {
    const m = /^\s*([A-Za-z_][A-Za-z_0-9]*)\s*=(?!=)/.exec(statement);
    if (m) assigned.add(m[1]);
  }
  const used = [];
  for (const statement of source.split(/[\n;]/)) {
    const rhs = statement.replace(/^\s*[A-Za-z_][A-Za-z_0-9]*\s*=(?!=)/, "");
    const tokens = rhs.match(TOKEN) || [];
    tokens.forEach((t, i) => {
      if (t.startsWith("#") || t.startsWith(".") || !/^[A-Za-z_]/.test(t)) return;
      if (functions.has(t) && tokens[i + 1] === "(") return;
      if (!assigned.has(t) && !used.includes(t)) used.push(t);
    });
  }
  return used;
}
