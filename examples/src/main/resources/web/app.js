// llmstream browser chat: an ES module, no build step. The answer's event stream is followed with
// llmstream.js (global LlmStream, served by streaming-web at /llmstream.js); Markdown is drawn
// incrementally by markdown.js. HTTP API: docs/WEB-PROTOCOL.md section 4.

// The Markdown renderer; should it fail to load, answers show as plain text rather than not at all.
const { markdownView, renderMarkdown } = await import("/markdown.js").catch((e) => {
  console.error("markdown.js did not load; answers show as plain text", e);
  const plainView = (root) => ({
    write(chunk) { root.style.whiteSpace = "pre-wrap"; if (chunk) root.append(chunk); },
    end() {},
    reset() { root.replaceChildren(); },
  });
  return { markdownView: plainView, renderMarkdown: (root, text) => { root.replaceChildren(); plainView(root).write(text); } };
});

const $ = (id) => document.getElementById(id);
const conversation = $("conversation"), form = $("composer"), prompt = $("prompt");
const sendBtn = $("send"), stopBtn = $("stop"), statusEl = $("status"), announcer = $("announcer");
const jumpBtn = $("jump"), statsBtn = $("stats-toggle"), statsEl = $("stats");

const ANNOUNCE_EVERY_MS = 2500;  // at most one live-region announcement per 2.5 s while streaming
const ANNOUNCE_MAX_CHARS = 300;  // a longer backlog is cut to its last whole sentences
const FOLLOW_SLACK_PX = 48;      // "at the bottom" when within this distance of it

function newChatId() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
}
let chat = sessionStorage.getItem("llmstream.chat");
if (!chat) {
  chat = newChatId();
  sessionStorage.setItem("llmstream.chat", chat);
}
const runKey = () => "llmstream.run." + chat;
let current = null; // {run, conn, bubble, view, reasoningText}

// ---- Scrolling: follow the bottom while the reader is there; stop when they scroll up to read. ----
let following = true;
conversation.addEventListener("scroll", () => {
  const atBottom = conversation.scrollHeight - conversation.scrollTop - conversation.clientHeight <= FOLLOW_SLACK_PX;
  if (atBottom !== following) {
    following = atBottom;
    jumpBtn.hidden = atBottom;
  }
}, { passive: true });
let scrollQueued = false;
function keepFollowing() {
  // Once per delivery (llmstream.js delivers once per frame), after all of that frame's DOM writes: the
  // microtask runs when the delivery's callbacks are done, so there is one layout, no read/write interleaving.
  if (!following || scrollQueued) return;
  scrollQueued = true;
  queueMicrotask(() => {
    scrollQueued = false;
    if (following) conversation.scrollTop = conversation.scrollHeight;
  });
}
jumpBtn.addEventListener("click", () => {
  following = true;
  jumpBtn.hidden = true;
  conversation.scrollTop = conversation.scrollHeight;
});

// ---- Accessibility: completed sentences, at a bounded rate; the end announced once. ----
const speech = { pending: "", lastAt: -Infinity, timer: 0, count: 0 };
function speak(text) {
  const p = document.createElement("p");
  p.textContent = text;
  announcer.append(p);
  while (announcer.childElementCount > 3) announcer.firstElementChild.remove();
  speech.count++;
  announcer.setAttribute("data-announcements", String(speech.count));
}
function spoken(markdown) {
  return markdown.replace(/```[^\n]*|[*_`#>|~]+/g, "").replace(/\s+/g, " ").trim();
}
function lastSentences(text) {
  if (text.length <= ANNOUNCE_MAX_CHARS) return text;
  const tail = text.slice(-ANNOUNCE_MAX_CHARS);
  const cut = tail.search(/[.!?…]\s/);
  return cut >= 0 ? tail.slice(cut + 2) : tail;
}
function announceSentences() {
  speech.timer = 0;
  const p = speech.pending;
  let end = -1;
  for (const m of p.matchAll(/[.!?…](?=\s)|\n/g)) end = m.index + 1;
  if (end <= 0) return; // no sentence finished yet; the next text schedules another look
  const sentence = spoken(lastSentences(p.slice(0, end)));
  speech.pending = p.slice(end);
  speech.lastAt = performance.now();
  if (sentence) speak(sentence);
}
function hear(batch) {
  speech.pending += batch;
  if (speech.pending.length > 4 * ANNOUNCE_MAX_CHARS) speech.pending = speech.pending.slice(-2 * ANNOUNCE_MAX_CHARS);
  if (speech.timer) return;
  speech.timer = setTimeout(announceSentences, Math.max(0, speech.lastAt + ANNOUNCE_EVERY_MS - performance.now()));
}
function announceEnd(message) {
  clearTimeout(speech.timer);
  speech.timer = 0;
  const rest = spoken(lastSentences(speech.pending));
  speech.pending = "";
  if (rest) speak(rest);
  speak(message);
}

// ---- What only the browser knows, reported to the server (POST /api/ui-metrics, WEB-PROTOCOL.md §4):
// display lag (the relay's send stamp to the frame that painted it, from llmstream.js) and long frames
// (50 ms or more) while an answer streams. Batched: at most one report per 5 s, at the end of an answer
// and when the page goes away; at most 256 lags per report (the server's limit). ----
const REPORT_EVERY_MS = 5000, MAX_REPORT_LAGS = 256, MAX_LAG_MS = 60000, LONG_FRAME_MS = 50;
const uiReport = { lags: [], longFrames: 0, timer: 0 };
function reportLag(ms) {
  if (uiReport.lags.length < MAX_REPORT_LAGS) uiReport.lags.push(Math.round(Math.min(Math.max(ms, 0), MAX_LAG_MS) * 10) / 10);
  if (uiReport.lags.length >= MAX_REPORT_LAGS) sendReport();
  else scheduleReport();
}
function countLongFrames(n) {
  uiReport.longFrames += n;
  scheduleReport();
}
function scheduleReport() {
  if (!uiReport.timer) uiReport.timer = setTimeout(sendReport, REPORT_EVERY_MS);
}
function sendReport() {
  clearTimeout(uiReport.timer);
  uiReport.timer = 0;
  if (!uiReport.lags.length && !uiReport.longFrames) return;
  const body = JSON.stringify({ displayLagMs: uiReport.lags, longFrames: Math.min(uiReport.longFrames, 10000) });
  uiReport.lags = [];
  uiReport.longFrames = 0;
  fetch("/api/ui-metrics", { method: "POST", headers: { "Content-Type": "application/json" }, body, keepalive: true })
      .catch(() => {}); // measurement only: a lost report is not worth the reader's attention
}
window.addEventListener("pagehide", sendReport);
// Long frames: the Long Animation Frames API where there is one, else long tasks, else gaps between
// animation frames (counted only while an answer streams; the loop runs only then).
const longFrameSource = (() => {
  const types = (window.PerformanceObserver && PerformanceObserver.supportedEntryTypes) || [];
  const type = types.includes("long-animation-frame") ? "long-animation-frame" : types.includes("longtask") ? "longtask" : null;
  if (!type) return "frame-gaps";
  new PerformanceObserver((list) => {
    if (!current) return;
    const n = list.getEntries().filter((e) => e.duration >= LONG_FRAME_MS).length;
    if (n) countLongFrames(n);
  }).observe({ type });
  return type;
})();
document.documentElement.setAttribute("data-long-frames", longFrameSource);
let gapWatch = false;
function watchFrameGaps() {
  if (longFrameSource !== "frame-gaps" || gapWatch) return;
  gapWatch = true;
  let last = 0;
  const tick = (t) => {
    if (last && t - last > LONG_FRAME_MS && document.visibilityState === "visible") countLongFrames(1);
    last = t;
    if (current) requestAnimationFrame(tick);
    else gapWatch = false;
  };
  requestAnimationFrame(tick);
}

// ---- Stats: the recent answers' time to first token, tokens/s and outcomes, as SVG sparklines drawn
// from the numbers the page gets anyway (first text, the progress events' tokensPerSecond counted from
// the first token, the done state). Kept for this tab in sessionStorage. No chart library. ----
const STATS_KEY = "llmstream.stats", MAX_STATS = 20, SVG_NS = "http://www.w3.org/2000/svg";
const SPARK_W = 160, SPARK_H = 32, SPARK_PAD = 3;
function loadStats() {
  try {
    const s = JSON.parse(sessionStorage.getItem(STATS_KEY) || "[]");
    return Array.isArray(s) ? s : [];
  } catch (e) {
    return [];
  }
}
const stats = loadStats();
function addStat(s) {
  stats.push(s);
  while (stats.length > MAX_STATS) stats.shift();
  try { sessionStorage.setItem(STATS_KEY, JSON.stringify(stats)); } catch (e) { /* full: kept in memory */ }
  if (!statsEl.hidden) drawStats();
}
/** Draws values (null = none for that answer) as a line with a dot per answer; returns the dots drawn. */
function sparkline(svg, values, yOf, colorOf) {
  svg.replaceChildren();
  const n = values.length;
  const x = (i) => n === 1 ? SPARK_W / 2 : SPARK_PAD + i * (SPARK_W - 2 * SPARK_PAD) / (n - 1);
  let d = "", points = 0;
  values.forEach((v, i) => {
    if (v == null) return;
    const px = x(i).toFixed(1), py = yOf(v).toFixed(1);
    d += (d ? " L" : "M") + px + " " + py;
    const dot = document.createElementNS(SVG_NS, "circle");
    dot.setAttribute("cx", px);
    dot.setAttribute("cy", py);
    dot.setAttribute("r", "2.5");
    dot.setAttribute("fill", colorOf ? colorOf(v) : "currentColor");
    svg.append(dot);
    points++;
  });
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("data-points", String(points));
  svg.prepend(path);
  return points;
}
function scaled(values) {
  const known = values.filter((v) => v != null);
  const lo = Math.min(...known), hi = Math.max(...known);
  return (v) => hi === lo ? SPARK_H / 2 : SPARK_H - SPARK_PAD - (v - lo) * (SPARK_H - 2 * SPARK_PAD) / (hi - lo);
}
const OUTCOME_Y = { COMPLETED: SPARK_PAD, CANCELLED: SPARK_H / 2, FAILED: SPARK_H - SPARK_PAD };
const OUTCOME_COLOR = { COMPLETED: "#5fd38d", CANCELLED: "#f5c542", FAILED: "#ff6b6b" };
function drawStats() {
  const ttft = stats.map((s) => s.ttftMs), tps = stats.map((s) => s.tps), outcomes = stats.map((s) => s.outcome);
  sparkline($("spark-ttft"), ttft, scaled(ttft));
  sparkline($("spark-tps"), tps, scaled(tps));
  sparkline($("spark-outcome"), outcomes, (o) => OUTCOME_Y[o] ?? SPARK_H / 2, (o) => OUTCOME_COLOR[o] || "#9aa3b2");
  const last = (vs) => [...vs].reverse().find((v) => v != null);
  const lt = last(ttft), lr = last(tps);
  $("stat-ttft").textContent = lt == null ? "–" : Math.round(lt) + " ms";
  $("stat-tps").textContent = lr == null ? "–" : (Math.round(lr * 10) / 10) + " tok/s";
  const count = (o) => outcomes.filter((x) => x === o).length;
  $("stat-outcome").textContent = count("COMPLETED") + " completed · " + count("CANCELLED") + " stopped · " + count("FAILED") + " failed";
  $("stats-count").textContent = stats.length ? "last " + stats.length + " answers" : "no answers yet";
}
statsBtn.addEventListener("click", () => {
  const open = statsEl.hidden;
  statsEl.hidden = !open;
  statsBtn.setAttribute("aria-expanded", String(open));
  if (open) drawStats();
});

// ---- The conversation ----
function bubble(role, text) {
  const div = document.createElement("div");
  div.className = "msg " + role;
  div.setAttribute("data-role", role);
  if (role === "assistant") {
    const reasoning = document.createElement("div");
    reasoning.className = "reasoning";
    reasoning.hidden = true;
    reasoning.append(document.createTextNode(""));
    const answer = document.createElement("div");
    answer.className = "answer";
    answer.setAttribute("data-testid", "answer");
    const meta = document.createElement("span");
    meta.className = "meta";
    div.append(reasoning, answer, meta);
  } else {
    div.textContent = text;
  }
  conversation.appendChild(div);
  following = true;
  jumpBtn.hidden = true;
  conversation.scrollTop = conversation.scrollHeight;
  return div;
}

function setReasoning(div, text) {
  const el = div.querySelector(".reasoning");
  el.firstChild.data = text;
  el.hidden = !text;
}

function setState(div, state) {
  if (div.getAttribute("data-state") === state) return;
  div.setAttribute("data-state", state);
  div.classList.toggle("streaming", state === "streaming" || state === "typing" || state === "recovering");
  div.classList.toggle("stopped", state === "stopped");
  div.classList.toggle("failed", state === "failed");
  let typing = div.querySelector(".typing");
  if (state === "typing" && !typing) {
    typing = document.createElement("div");
    typing.className = "typing";
    typing.setAttribute("data-testid", "typing");
    typing.setAttribute("aria-label", "Assistant is typing");
    typing.append(document.createElement("span"), document.createElement("span"), document.createElement("span"));
    div.prepend(typing);
  } else if (state !== "typing" && typing) {
    typing.remove();
  }
  if (state !== "recovering") {
    const r = div.querySelector(".recovering");
    if (r) r.remove();
  }
}

function busy(on) {
  sendBtn.disabled = on;
  stopBtn.disabled = !on;
}

/** Follows a run's events; `askedAt` (performance.now() when the question was sent) times the first token. */
function follow(run, saved, askedAt) {
  const div = bubble("assistant", "");
  const view = markdownView(div.querySelector(".answer"));
  const start = saved || { lastEventId: 0, text: "", reasoning: "" };
  view.write(start.text);
  setReasoning(div, start.reasoning);
  setState(div, start.text ? "streaming" : "typing");
  busy(true);
  speech.pending = "";
  const me = { run, bubble: div, view, conn: null, askedAt: askedAt || 0, firstAt: 0, ttftMs: null, tps: null };
  current = me;
  watchFrameGaps();
  const ended = (state, usage) => {
    if (current === me) current = null;
    busy(false);
    let tps = me.tps;
    if (tps == null && usage && usage.completionTokens > 1 && me.firstAt) {
      const s = (performance.now() - me.firstAt) / 1000;
      if (s > 0) tps = usage.completionTokens / s;
    }
    addStat({ ttftMs: me.ttftMs, tps, outcome: state });
    setTimeout(sendReport, 0); // after the last frame's lag (measured in the task after its paint)
  };
  me.conn = LlmStream.connect("/api/runs/" + encodeURIComponent(run) + "/events", {
    after: start.lastEventId, text: start.text, reasoning: start.reasoning,
    storageKey: runKey(), meta: { run },
    onDisplayLag: reportLag,
    onTyping(on) {
      if (on) {
        setState(div, "typing");
        statusEl.textContent = "Waiting for the first token…";
      } else {
        setState(div, "streaming");
      }
    },
    onText(batch) {
      if (!me.firstAt) {
        me.firstAt = performance.now();
        if (me.askedAt) me.ttftMs = me.firstAt - me.askedAt;
      }
      view.write(batch);
      setState(div, "streaming");
      hear(batch);
      keepFollowing();
    },
    onReasoning(batch) {
      const el = div.querySelector(".reasoning");
      el.firstChild.appendData(batch); // only the new text, like the answer
      el.hidden = false;
      setState(div, "streaming");
      keepFollowing();
    },
    onReplaced(d) {
      view.reset();
      view.write(d.text);
      setReasoning(div, d.reasoning);
      speech.pending = "";
      keepFollowing();
    },
    onRecovering(d) {
      setState(div, "recovering");
      let r = div.querySelector(".recovering");
      if (!r) {
        r = document.createElement("div");
        r.className = "recovering";
        r.setAttribute("data-testid", "recovering");
        div.appendChild(r);
      }
      r.textContent = "Connection lost, resuming…" + (d.attempt ? " (attempt " + d.attempt + ")" : "");
      statusEl.textContent = "Reconnecting…";
    },
    onProgress(p) {
      if (p.tokensPerSecond > 0) me.tps = p.tokensPerSecond;
      statusEl.textContent = p.tokens + " tokens · " + Math.round(p.tokensPerSecond) + " tok/s" +
          (p.percentOfMax != null ? " · " + Math.round(p.percentOfMax) + "% of max" : "");
    },
    onReconnecting() {
      statusEl.textContent = "Reconnecting to the chat server…";
    },
    onConnected() {
      if (statusEl.textContent.startsWith("Reconnecting to the chat server")) statusEl.textContent = "";
    },
    onDone(d) {
      view.end();
      finish(div, d);
      announceEnd(d.state === "COMPLETED" ? "Answer complete." : d.state === "CANCELLED" ? "Answer stopped." : "The answer failed.");
      keepFollowing();
      ended(d.state, d.usage);
      prompt.focus();
    },
    onError(err) {
      view.end();
      finish(div, { state: "FAILED", error: err });
      announceEnd("The answer failed.");
      ended("FAILED", null);
    },
  });
}

function finish(div, d) {
  const meta = div.querySelector(".meta");
  if (d.state === "COMPLETED") {
    setState(div, "completed");
    meta.textContent = d.finishReason && d.finishReason !== "stop" ? "finished: " + d.finishReason : "";
    statusEl.textContent = d.usage ? d.usage.completionTokens + " tokens" : "";
  } else if (d.state === "CANCELLED") {
    setState(div, "stopped");
    meta.textContent = "the partial answer was kept";
    statusEl.textContent = "Stopped.";
  } else {
    setState(div, "failed");
    const err = document.createElement("div");
    err.className = "error";
    err.setAttribute("role", "alert");
    err.setAttribute("data-testid", "error");
    err.textContent = (d.error && d.error.message) || "The answer failed.";
    div.appendChild(err);
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "secondary";
    retry.textContent = "Retry";
    retry.setAttribute("data-testid", "retry");
    retry.addEventListener("click", async () => {
      retry.disabled = true;
      const askedAt = performance.now();
      const res = await fetch("/api/chats/" + encodeURIComponent(chat) + "/retry", { method: "POST" });
      if (res.ok) follow((await res.json()).run, null, askedAt);
      else statusEl.textContent = "Retry failed: " + (await errorText(res));
    });
    div.appendChild(retry);
    statusEl.textContent = "The answer failed.";
  }
}

async function errorText(res) {
  const body = await res.text();
  try {
    return JSON.parse(body).error || body;
  } catch (e) {
    return body || "HTTP " + res.status;
  }
}

async function send(text) {
  bubble("user", text);
  busy(true);
  const askedAt = performance.now();
  const res = await fetch("/api/chat", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ message: text, chat }),
  });
  if (!res.ok) {
    busy(false);
    statusEl.textContent = "Could not send: " + (await errorText(res));
    return;
  }
  follow((await res.json()).run, null, askedAt);
}

function stop() {
  if (!current) return;
  stopBtn.disabled = true;
  current.conn.stop();
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const text = prompt.value.trim();
  if (!text || current || sendBtn.disabled) return;
  prompt.value = "";
  send(text);
});
prompt.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) {
    e.preventDefault();
    form.requestSubmit();
  }
});
document.addEventListener("keydown", (e) => { if (e.key === "Escape") stop(); });
stopBtn.addEventListener("click", stop);
$("new-chat").addEventListener("click", () => {
  if (current) return;
  chat = newChatId();
  sessionStorage.setItem("llmstream.chat", chat);
  conversation.replaceChildren();
  statusEl.textContent = "";
});

// On load: restore this tab's conversation, and pick a running answer up where this page left it.
(async function restore() {
  const res = await fetch("/api/chats/" + encodeURIComponent(chat));
  if (!res.ok) {
    statusEl.textContent = "Could not load the conversation: " + (await errorText(res));
    return;
  }
  const s = await res.json();
  $("endpoint").textContent = s.endpoint || "";
  for (const m of s.history) {
    const div = bubble(m.role, m.role === "user" ? m.text : "");
    if (m.role === "assistant") {
      renderMarkdown(div.querySelector(".answer"), m.text || "");
      setReasoning(div, m.reasoning || "");
      finish(div, m);
    }
  }
  statusEl.textContent = "";
  if (s.running) {
    const saved = LlmStream.saved(runKey());
    follow(s.running, saved && saved.meta && saved.meta.run === s.running ? saved : null);
  } else {
    LlmStream.forget(runKey());
  }
})();
