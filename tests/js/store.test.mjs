// The pages' store (static/src/common/store.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { createStore } from "../../static/src/common/store.js";

test("set merges a patch into a new state and tells every listener which keys changed", () => {
  const store = createStore({ a: 1, b: 2 });
  const heard = [];
  store.subscribe((state, keys) => heard.push([state, keys]));
  const before = store.state;
  store.set({ b: 3 });
  assert.deepEqual(store.state, { a: 1, b: 3 });
  assert.deepEqual(before, { a: 1, b: 2 }); // the old state is not changed
  assert.deepEqual(heard, [[{ a: 1, b: 3 }, ["b"]]]);
});

test("a patch may be a function of the state; unsubscribing stops the calls", () => {
  const store = createStore({ n: 1 });
  let calls = 0;
  const stop = store.subscribe(() => calls++);
  store.set((s) => ({ n: s.n + 1 }));
  stop();
  store.set((s) => ({ n: s.n * 10 }));
  assert.equal(store.state.n, 20);
  assert.equal(calls, 1);
});

test("the initial object is copied, not held", () => {
  const initial = { n: 1 };
  const store = createStore(initial);
  store.set({ n: 2 });
  assert.equal(initial.n, 1);
});
