/*
 * llmstream.js: the browser client of the llmstream web protocol, version 1 (docs/WEB-PROTOCOL.md).
 * No dependency, no build step: load it with <script src="/llmstream.js"></script>; it defines the
 * global `LlmStream`.
 *
 *   const answer = LlmStream.connect("/api/runs/" + runId + "/events", {
 *     storageKey: "chat-1.run",                  // optional: a page reload resumes (see LlmStream.saved)
 *     onTyping(on) {…}, onText(batch, fullText) {…}, onReasoning(batch, fullReasoning) {…},
 *     onProgress({tokens, tokensPerSecond, percentOfMax}) {…}, onRecovering({attempt, cause}) {…},
 *     onReplaced({text, reasoning}) {…}, onDone(done, {text, reasoning}) {…},
 *     onReconnecting() {…}, onConnected() {…}, onError({type, message, retryable}) {…},
 *     onDisplayLag(ms) {…},                      // optional: measurement, see "Display lag" below
 *   });
 *   stopButton.onclick = () => answer.stop();     // POST …/stop; the run then ends with done CANCELLED
 *
 * Delivery: events are collected as they arrive and handed to the callbacks once per animation frame
 * (consecutive text or reasoning merged into one batch), in the order the server sent them, so a page
 * that draws in its callbacks draws at most once per frame however fast the answer streams. In a hidden
 * tab (no animation frames) the batch is handed over on a timer instead. A callback that throws is
 * reported with console.error and does not stop the stream.
 *
 * Connection: EventSource semantics (it is an EventSource): a dropped connection reconnects by itself
 * and resumes after the last event id it saw (Last-Event-ID), nothing repeated and nothing lost;
 * onReconnecting is called when a connection dropped (after what it delivered) and onConnected when a
 * connection is open, in order with the events. A final
 * refusal (404: unknown run, another user's run, expired) calls onError once and closes.
 *
 * Display lag: the relay stamps each text event with its send time ("st", epoch ms; WEB-PROTOCOL.md §2).
 * With onDisplayLag, after each frame that drew text the connection measures, once the frame is painted
 * (the first task after the animation frame that delivered it), Date.now() minus the oldest "st" drawn in
 * that frame, and calls onDisplayLag(ms): one number per painted frame with text, for a page to report
 * (the web example batches them to POST /api/ui-metrics). Not measured in a hidden tab (nothing is
 * painted) nor for events without "st". The two clocks may differ: the number can be off by their skew.
 *
 * Reload: with `storageKey`, the connection keeps {meta, lastEventId, text, reasoning} in
 * sessionStorage (written when the page is hidden or unloaded and at most once a second while
 * streaming; the text is left out past 256k characters, and the reload then replays from the start)
 * and removes it after done. `LlmStream.saved(key)` reads it back: pass its fields as `after`, `text`
 * and `reasoning` to connect() to carry on where the page left off.
 */
(function (global) {
  "use strict";

  const TYPES = ["typing", "text", "reasoning", "progress", "recovering", "replaced", "done"];
  const MAX_SAVED_TEXT = 256 * 1024;
  const SAVE_EVERY_MS = 1000;
  const HIDDEN_FLUSH_MS = 100;

  function call(fn, ...args) {
    if (typeof fn !== "function") return;
    try {
      fn(...args);
    } catch (e) {
      console.error("llmstream: a callback threw", e);
    }
  }

  function withAfter(url, after) {
    if (!after) return url;
    return url + (url.includes("?") ? "&" : "?") + "after=" + encodeURIComponent(after);
  }

  function stopUrlOf(url) {
    return url.replace(/\/events(\?.*)?$/, "/stop");
  }

  /** One answer followed over SSE. Create it with LlmStream.connect(url, options). */
  class Connection {
    constructor(url, options) {
      const o = options || {};
      this.url = url;
      this.options = o;
      /** The answer so far, as drawn by the callbacks (what onText's fullText says). */
      this.text = o.text || "";
      this.reasoning = o.reasoning || "";
      /** The id of the last event handed to the callbacks; resume after it. */
      this.lastEventId = Number(o.after) || 0;
      /** The done event's data once the answer ended, else null. */
      this.done = null;
      this.closed = false;
      this.queue = [];          // events received since the last frame, text merged: bounded by the answer
      this.received = this.lastEventId; // the id of the last event received (may be ahead of lastEventId)
      this.firstArrival = 0;    // performance.now() of the oldest event waiting for a frame
      this.scheduled = false;
      this.inFrame = false;     // whether the pending flush runs in an animation frame (then paints)
      this.lastSave = 0;
      this.onHide = () => { if (document.visibilityState === "hidden") this.flushSoon(); this.save(); };
      this.onPageHide = () => this.save();
      global.addEventListener("pagehide", this.onPageHide);
      document.addEventListener("visibilitychange", this.onHide);
      this.open();
    }

    open() {
      const es = new EventSource(withAfter(this.url, this.lastEventId), { withCredentials: !!this.options.withCredentials });
      this.es = es;
      for (const type of TYPES) {
        es.addEventListener(type, (e) => this.receive(type, e));
      }
      es.onopen = () => this.push({ type: "connected" });
      es.onerror = () => {
        if (this.closed || this.es !== es) return;
        if (es.readyState === EventSource.CLOSED) {
          // EventSource gave up: the server answered something other than 200 (a 404: no such run for us).
          this.finish();
          this.flush();
          call(this.options.onError, {
            type: "CONNECTION", retryable: false,
            message: "The answer is not available any more (the server refused the event stream).",
          });
        } else {
          this.push({ type: "reconnecting" }); // after what this connection delivered, in order
        }
      };
    }

    receive(type, e) {
      if (this.closed) return;
      const id = Number(e.lastEventId);
      if (id && id <= this.received) return; // never hand an event over twice
      if (id) this.received = id;
      let data;
      try {
        data = JSON.parse(e.data);
      } catch (err) {
        console.error("llmstream: an event whose data is not JSON was ignored", type, err);
        return;
      }
      const last = this.queue[this.queue.length - 1];
      if ((type === "text" || type === "reasoning") && last && last.type === type) {
        last.t += data.t || "";
        last.id = id;
        if (!(last.st > 0) && data.st > 0) last.st = data.st; // the oldest send time stays
        return;
      }
      if (type === "done") {
        // The run is over: nothing more will come, and EventSource must not reconnect.
        this.es.close();
      }
      this.push(type === "text" || type === "reasoning" ? { type, t: data.t || "", id, st: Number(data.st) || 0 } : { type, data, id });
    }

    push(item) {
      this.queue.push(item);
      if (!this.firstArrival) this.firstArrival = performance.now();
      this.schedule();
    }

    schedule() {
      if (this.scheduled) return;
      this.scheduled = true;
      if (document.visibilityState === "hidden") {
        setTimeout(() => this.flush(), HIDDEN_FLUSH_MS);
      } else {
        requestAnimationFrame(() => { this.inFrame = true; this.flush(); this.inFrame = false; });
      }
    }

    flushSoon() {
      if (this.queue.length) setTimeout(() => this.flush(), 0);
    }

    /** Hands every waiting event to the callbacks, in order. Runs once per animation frame at most. */
    flush() {
      this.scheduled = false;
      if (!this.queue.length) return;
      const arrived = this.firstArrival;
      const items = this.queue;
      this.queue = [];
      this.firstArrival = 0;
      const o = this.options;
      let ended = null;
      let sentAt = 0; // the oldest send time of the text drawn now
      for (const item of items) {
        if (item.id) this.lastEventId = item.id;
        switch (item.type) {
          case "text":
            if (item.st > 0 && (!sentAt || item.st < sentAt)) sentAt = item.st;
            this.text += item.t;
            call(o.onText, item.t, this.text);
            break;
          case "reasoning":
            this.reasoning += item.t;
            call(o.onReasoning, item.t, this.reasoning);
            break;
          case "typing": call(o.onTyping, !!item.data.on); break;
          case "progress": call(o.onProgress, item.data); break;
          case "recovering": call(o.onRecovering, item.data); break;
          case "replaced":
            this.text = item.data.text || "";
            this.reasoning = item.data.reasoning || "";
            call(o.onReplaced, { text: this.text, reasoning: this.reasoning });
            break;
          case "done": ended = item.data; break;
          case "reconnecting": call(o.onReconnecting); break;
          case "connected": call(o.onConnected); break;
          default: break;
        }
      }
      if (typeof LlmStream.onPaint === "function" && arrived) {
        call(LlmStream.onPaint, arrived, performance.now());
      }
      if (sentAt && typeof o.onDisplayLag === "function") this.measureLag(sentAt);
      if (ended) {
        this.done = ended;
        this.finish();
        if (o.storageKey) sessionStorage.removeItem(o.storageKey);
        call(o.onDone, ended, { text: this.text, reasoning: this.reasoning });
      } else if (performance.now() - this.lastSave >= SAVE_EVERY_MS) {
        this.save();
      }
    }

    /** Calls onDisplayLag once the frame that drew text sent at `sentAt` is painted. */
    measureLag(sentAt) {
      if (document.visibilityState === "hidden") return; // nothing is painted
      const measure = () => call(this.options.onDisplayLag, Date.now() - sentAt);
      // In an animation frame, the first task after it runs once the frame is painted; otherwise (a
      // flush on a timer) wait for the next frame first.
      if (this.inFrame) setTimeout(measure, 0);
      else requestAnimationFrame(() => setTimeout(measure, 0));
    }

    /** Writes what a reload needs to sessionStorage (only with options.storageKey, only while running). */
    save() {
      const key = this.options.storageKey;
      if (!key || this.closed) return;
      this.lastSave = performance.now();
      const small = this.text.length + this.reasoning.length <= MAX_SAVED_TEXT;
      const state = small
          ? { meta: this.options.meta ?? null, lastEventId: this.lastEventId, text: this.text, reasoning: this.reasoning }
          : { meta: this.options.meta ?? null, lastEventId: 0, text: "", reasoning: "" };
      try {
        sessionStorage.setItem(key, JSON.stringify(state));
      } catch (e) {
        // Storage full or disabled: a reload then replays the answer from the start.
        sessionStorage.removeItem(key);
      }
    }

    finish() {
      this.closed = true;
      this.es.close();
      global.removeEventListener("pagehide", this.onPageHide);
      document.removeEventListener("visibilitychange", this.onHide);
    }

    /**
     * Asks the server to stop the answer (POST …/stop). The run then ends with a done event
     * (state CANCELLED) that this connection delivers as usual; the promise resolves with the HTTP
     * response. Calling it again, or after the end, is harmless.
     */
    stop() {
      const url = this.options.stopUrl || stopUrlOf(this.url);
      return fetch(url, { method: "POST", credentials: "same-origin" });
    }

    /** Stops listening without stopping the answer (it keeps running on the server); no callback follows. */
    close() {
      if (this.closed) return;
      this.save();
      this.finish();
      this.queue = [];
    }
  }

  const LlmStream = {
    /** Opens an answer's event stream; see the top of this file. */
    connect(url, options) {
      if (typeof url !== "string" || !url) throw new TypeError("LlmStream.connect: url must be a non-empty string");
      return new Connection(url, options);
    },
    /** What a connection with this storageKey saved for a reload ({meta, lastEventId, text, reasoning}), or null. */
    saved(storageKey) {
      try {
        const s = JSON.parse(sessionStorage.getItem(storageKey) || "null");
        return s && typeof s === "object" ? s : null;
      } catch (e) {
        return null;
      }
    },
    /** Forgets what saved(storageKey) would return. */
    forget(storageKey) {
      sessionStorage.removeItem(storageKey);
    },
    /**
     * For measurement only (the browser benchmark): when set to a function, it is called after each
     * frame's delivery with (arrivedAt, deliveredAt), the performance.now() of the oldest event in the
     * batch and of the end of its delivery (the browser paints right after).
     */
    onPaint: null,
    protocolVersion: 1,
  };

  global.LlmStream = LlmStream;
})(typeof window !== "undefined" ? window : globalThis);
