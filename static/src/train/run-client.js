// A training run on the server: create it, steer it (pause, resume, step, stop, live changes)
// and read its Server-Sent Events stream. No drawing here.
import { ApiError, getJson, openEvents, patchJson, postJson } from "../common/api.js";

/** Statuses after which the server sends nothing more. */
const ENDED = new Set(["finished", "stopped", "failed"]); // statuses no command revives

// The browser's one run token (the server answers it on the first create): every run this
// browser creates belongs to it, so a reload keeps the right to steer them.
const TOKEN_KEY = "gradplay.runToken";

function storedToken() {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null; // storage refused (private mode, file://): a token per run instead
  }
}

function storeToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage refused: the run still carries its own token
  }
}

export class RunClient {
  /**
   * Create a run from `request` (the body of POST /api/v1/runs). `on.step(entry)`,
   * `on.frame(frame)` and `on.status({status, reason, flags})` receive the stream's events.
   */
  static async create(request, on) {
    const token = storedToken();
    let state;
    try {
      state = await postJson("/api/v1/runs", request, { token });
    } catch (err) {
      // A token the server no longer knows (it restarted): start a new identity once.
      if (!(token && err instanceof ApiError && err.status === 403)) throw err;
      storeToken(null);
      state = await postJson("/api/v1/runs", request);
    }
    storeToken(state.token);
    return new RunClient(state, on);
  }

  constructor(state, on) {
    this.id = state.id;
    this.token = state.token; // answered once at creation; commands send it back
    this.state = state;
    this.on = on;
    this.source = null;
    this.ended = ENDED.has(state.status);
    this.open();
  }

  /** Open the event stream (EventSource resumes with Last-Event-ID by itself after a drop). */
  open() {
    this.source = openEvents(`/api/v1/runs/${this.id}/events`, {
      step: (entry) => this.on.step(entry),
      frame: (frame) => this.on.frame(frame),
      status: (status) => {
        this.ended = ENDED.has(status.status);
        this.on.status(status);
      },
      // The server closes the stream after a run's last events; without this the browser
      // would reconnect every two seconds for nothing.
      error: () => { if (this.ended) this.close(); },
    });
  }

  close() {
    this.source?.close();
    this.source = null;
  }

  async command(name, body) {
    this.state = { ...this.state, ...(await postJson(`/api/v1/runs/${this.id}/${name}`, body ?? {}, { token: this.token })) };
    return this.state;
  }

  pause() { return this.command("pause"); }
  resume() { return this.command("resume"); }
  step(count = 1) { return this.command("step", { count }); }
  stop() { return this.command("stop"); }

  /** Live changes: `{lr}`, `{batch_size}`, `{steps_per_frame}`, `{frames_per_second}`. */
  async change(changes) {
    this.state = { ...this.state, ...(await patchJson(`/api/v1/runs/${this.id}`, changes, { token: this.token })) };
    return this.state;
  }

  /** The model on its latest batch as a Graph lab program: `{source, values, output}`. */
  program() { return getJson(`/api/v1/runs/${this.id}/program`); }

  /** The run's training and validation points, in the data's units. */
  points() { return getJson(`/api/v1/runs/${this.id}/data`); }

  /** The loss surface of a two-parameter model: `{version, w, b, resolution, loss}`. */
  landscape() { return getJson(`/api/v1/runs/${this.id}/landscape`); }
}
