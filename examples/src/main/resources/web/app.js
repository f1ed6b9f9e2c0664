// llmstream browser chat: plain JS, no build step.
// Server protocol (see WebChatServer.java): POST /api/chat -> {run}; GET /api/runs/{run}/events (SSE,
// resumable with Last-Event-ID or ?after=N); POST /api/runs/{run}/stop; GET /api/session/{id};
// POST /api/session/{id}/retry.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const conversation = $("conversation"), form = $("composer"), prompt = $("prompt");
  const sendBtn = $("send"), stopBtn = $("stop"), statusEl = $("status"), announcer = $("announcer");

  let session = sessionStorage.getItem("llmstream.session");
  if (!session) {
    session = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
    sessionStorage.setItem("llmstream.session", session);
  }
  let current = null; // {run, es, bubble, answerEl, reasoningEl, text, reasoning, lastId, pendingSpeech}

  function bubble(role, text) {
    const div = document.createElement("div");
    div.className = "msg " + role;
    div.setAttribute("data-role", role);
    if (role === "assistant") {
      const reasoning = document.createElement("div");
      reasoning.className = "reasoning";
      reasoning.hidden = true;
      const answer = document.createElement("div");
      answer.className = "answer";
      answer.setAttribute("data-testid", "answer");
      answer.textContent = text || "";
      const meta = document.createElement("span");
      meta.className = "meta";
      div.append(reasoning, answer, meta);
    } else {
      div.textContent = text;
    }
    conversation.appendChild(div);
    conversation.scrollTop = conversation.scrollHeight;
    return div;
  }

  function setState(div, state) {
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
      typing.innerHTML = "<span></span><span></span><span></span>";
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

  function announce(flush) {
    // Announce whole sentences only, not every token.
    const pending = current.pendingSpeech;
    const m = flush ? pending.length : Math.max(pending.lastIndexOf(". "), pending.lastIndexOf("! "),
        pending.lastIndexOf("? "), pending.lastIndexOf("\n")) + 1;
    if (m > 0) {
      const sentence = pending.slice(0, m).trim();
      current.pendingSpeech = pending.slice(m);
      if (sentence) announcer.textContent = sentence;
    }
  }

  function save() {
    if (!current) return;
    sessionStorage.setItem("llmstream.run", JSON.stringify({
      run: current.run, lastId: current.lastId, text: current.text, reasoning: current.reasoning }));
  }

  function follow(run, restored) {
    const div = restored && restored.bubble ? restored.bubble : bubble("assistant", "");
    current = {
      run, bubble: div, answerEl: div.querySelector(".answer"), reasoningEl: div.querySelector(".reasoning"),
      text: restored ? restored.text : "", reasoning: restored ? restored.reasoning : "",
      lastId: restored ? restored.lastId : 0, pendingSpeech: "", es: null,
    };
    current.answerEl.textContent = current.text;
    if (current.reasoning) { current.reasoningEl.hidden = false; current.reasoningEl.textContent = current.reasoning; }
    setState(div, current.text ? "streaming" : "typing");
    busy(true);
    const es = new EventSource("/api/runs/" + encodeURIComponent(run) + "/events?after=" + current.lastId);
    current.es = es;
    const track = (e) => { if (e.lastEventId) current.lastId = Number(e.lastEventId); };
    es.addEventListener("typing", (e) => { track(e); setState(div, "typing"); statusEl.textContent = "Waiting for the first token…"; save(); });
    es.addEventListener("text", (e) => {
      track(e);
      const t = JSON.parse(e.data).t;
      current.text += t;
      current.answerEl.textContent = current.text;
      current.pendingSpeech += t;
      announce(false);
      setState(div, "streaming");
      conversation.scrollTop = conversation.scrollHeight;
      save();
    });
    es.addEventListener("reasoning", (e) => {
      track(e);
      current.reasoning += JSON.parse(e.data).t;
      current.reasoningEl.hidden = false;
      current.reasoningEl.textContent = current.reasoning;
      setState(div, "streaming");
      save();
    });
    es.addEventListener("replaced", (e) => {
      track(e);
      const d = JSON.parse(e.data);
      current.text = d.text; current.reasoning = d.reasoning;
      current.answerEl.textContent = d.text;
      current.reasoningEl.textContent = d.reasoning;
      current.reasoningEl.hidden = !d.reasoning;
      save();
    });
    es.addEventListener("recovering", (e) => {
      track(e);
      const d = JSON.parse(e.data);
      setState(div, "recovering");
      let r = div.querySelector(".recovering");
      if (!r) { r = document.createElement("div"); r.className = "recovering"; r.setAttribute("data-testid", "recovering"); div.appendChild(r); }
      r.textContent = "Connection lost, resuming… (attempt " + d.attempt + ")";
      statusEl.textContent = "Reconnecting…";
      save();
    });
    es.addEventListener("progress", (e) => {
      track(e);
      const p = JSON.parse(e.data);
      statusEl.textContent = p.tokens + " tokens · " + Math.round(p.tokensPerSecond) + " tok/s" +
          (p.percentOfMax != null ? " · " + Math.round(p.percentOfMax) + "% of max" : "");
      save();
    });
    es.addEventListener("done", (e) => {
      track(e);
      const d = JSON.parse(e.data);
      es.close();
      announce(true);
      finish(div, d);
      sessionStorage.removeItem("llmstream.run");
      current = null;
      busy(false);
      prompt.focus();
    });
    es.onerror = () => {
      // EventSource reconnects by itself (sending Last-Event-ID); give up only when it closed for good.
      if (es.readyState === EventSource.CLOSED && current && current.es === es) {
        finish(div, { state: "FAILED", error: { type: "CONNECTION", message: "Lost the connection to the chat server.", retryable: true } });
        current = null;
        busy(false);
      } else {
        statusEl.textContent = "Reconnecting to the chat server…";
      }
    };
  }

  function finish(div, d) {
    const meta = div.querySelector(".meta");
    if (d.state === "COMPLETED") {
      setState(div, "completed");
      meta.textContent = d.finishReason && d.finishReason !== "stop" ? "finished: " + d.finishReason : "";
      statusEl.textContent = d.summary || "";
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
        const res = await fetch("/api/session/" + encodeURIComponent(session) + "/retry", { method: "POST" });
        if (res.ok) follow((await res.json()).run, null);
        else statusEl.textContent = "Retry failed: " + (await res.text());
      });
      div.appendChild(retry);
      statusEl.textContent = "The answer failed.";
    }
  }

  async function send(text) {
    bubble("user", text);
    const res = await fetch("/api/chat", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session, message: text }),
    });
    if (!res.ok) {
      statusEl.textContent = "Could not send: " + (await res.text());
      return;
    }
    follow((await res.json()).run, null);
  }

  async function stop() {
    if (!current) return;
    stopBtn.disabled = true;
    await fetch("/api/runs/" + encodeURIComponent(current.run) + "/stop", { method: "POST" });
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = prompt.value.trim();
    if (!text || current) return;
    prompt.value = "";
    send(text);
  });
  prompt.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") stop(); });
  stopBtn.addEventListener("click", stop);
  $("new-chat").addEventListener("click", () => {
    if (current) return;
    session = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
    sessionStorage.setItem("llmstream.session", session);
    conversation.innerHTML = "";
    statusEl.textContent = "";
  });

  // On load: restore the conversation, and pick a running answer up where this page left it.
  (async function restore() {
    const res = await fetch("/api/session/" + encodeURIComponent(session));
    if (!res.ok) return;
    const s = await res.json();
    $("endpoint").textContent = s.endpoint || "";
    for (const m of s.history) {
      const div = bubble(m.role, m.role === "user" ? m.text : "");
      if (m.role === "assistant") {
        div.querySelector(".answer").textContent = m.text;
        if (m.reasoning) { const r = div.querySelector(".reasoning"); r.hidden = false; r.textContent = m.reasoning; }
        finish(div, m);
      }
    }
    if (s.running) {
      const saved = JSON.parse(sessionStorage.getItem("llmstream.run") || "null");
      const restored = saved && saved.run === s.running ? saved : null;
      follow(s.running, restored);
    }
  })();
})();
