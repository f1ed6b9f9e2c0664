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
const jumpBtn = $("jump");

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

function follow(run, saved) {
  const div = bubble("assistant", "");
  const view = markdownView(div.querySelector(".answer"));
  const start = saved || { lastEventId: 0, text: "", reasoning: "" };
  view.write(start.text);
  setReasoning(div, start.reasoning);
  setState(div, start.text ? "streaming" : "typing");
  busy(true);
  speech.pending = "";
  const me = { run, bubble: div, view, conn: null };
  current = me;
  const ended = () => {
    if (current === me) current = null;
    busy(false);
  };
  me.conn = LlmStream.connect("/api/runs/" + encodeURIComponent(run) + "/events", {
    after: start.lastEventId, text: start.text, reasoning: start.reasoning,
    storageKey: runKey(), meta: { run },
    onTyping(on) {
      if (on) {
        setState(div, "typing");
        statusEl.textContent = "Waiting for the first token…";
      } else {
        setState(div, "streaming");
      }
    },
    onText(batch) {
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
      ended();
      prompt.focus();
    },
    onError(err) {
      view.end();
      finish(div, { state: "FAILED", error: err });
      announceEnd("The answer failed.");
      ended();
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
      const res = await fetch("/api/chats/" + encodeURIComponent(chat) + "/retry", { method: "POST" });
      if (res.ok) follow((await res.json()).run, null);
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
  const res = await fetch("/api/chat", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ message: text, chat }),
  });
  if (!res.ok) {
    busy(false);
    statusEl.textContent = "Could not send: " + (await errorText(res));
    return;
  }
  follow((await res.json()).run, null);
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
