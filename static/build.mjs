// Bundles the page entry points in static/src into static/dist (git-ignored) and copies
// the CSS the bundled libraries need. Run by `npm run build` (scripts/setup calls it).
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
mkdirSync(dist, { recursive: true });

// One bundle per page: every static/src/<page>/main.js becomes static/dist/<page>.js.
const entryPoints = Object.fromEntries(
  readdirSync(join(here, "src"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(here, "src", d.name, "main.js")))
    .map((d) => [d.name, join(here, "src", d.name, "main.js")]),
);

await build({
  entryPoints,
  outdir: dist,
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: true,
  logLevel: "warning",
});

copyFileSync(join(here, "../node_modules/uplot/dist/uPlot.min.css"), join(dist, "uPlot.min.css"));
