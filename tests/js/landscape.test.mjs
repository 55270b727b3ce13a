// Which loss surface a frame's landscape shows (static/src/train/landscape-view.js): the view
// contours again only when this key changes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { surfaceKey } from "../../static/src/train/landscape-view.js";

const BOX = { w: [-1, 3], b: [-2, 2], resolution: 40, path: [] };
const CASES = [
  // [landscape A, landscape B, same surface?]
  [{ ...BOX, version: 1 }, { ...BOX, version: 1, path: [[0, 0]] }, true], // only the path grew
  [{ ...BOX, version: 1 }, { ...BOX, version: 2 }, false],
  [{ ...BOX, version: 1 }, { ...BOX, w: [0, 9], version: 1 }, false], // another run's version 1
  [{ ...BOX, loss: [[1]] }, { ...BOX, loss: [[1]] }, true], // a fresh array, the same box
  [{ ...BOX }, { ...BOX, w: [-1, 4] }, false],
  [{ ...BOX }, { ...BOX, resolution: 50 }, false],
];
for (const [a, b, same] of CASES) {
  test(`surfaceKey ${JSON.stringify(a).slice(0, 40)} vs ${JSON.stringify(b).slice(0, 40)}`, () => {
    assert.equal(surfaceKey(a) === surfaceKey(b), same);
  });
}
