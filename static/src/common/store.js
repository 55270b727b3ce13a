// One small store per page: the state, `set` to change it, `subscribe` to hear about it.
// Widgets never write the state; the page's controller does, and redraws from it.

/** A store holding `initial`; listeners get `(state, changedKeys)` after every `set`. */
export function createStore(initial) {
  let state = { ...initial };
  const listeners = new Set();
  return {
    get state() {
      return state;
    },
    /** Merge `patch` (an object, or a function of the state returning one) into a new state. */
    set(patch) {
      const changes = typeof patch === "function" ? patch(state) : patch;
      state = { ...state, ...changes };
      const keys = Object.keys(changes);
      for (const listener of listeners) listener(state, keys);
      return state;
    },
    /** Call `listener` after every change; returns the function that stops it. */
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
