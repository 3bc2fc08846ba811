// The customer chat widget: streams the reply (SSE over fetch), shows citations, confirmation buttons,
// thumbs on each answer and a CSAT score for the conversation; polls for the human agent's messages.
"use strict";

const $ = (id) => document.getElementById(id);
const el = Pages.el;
const state = { ...Pages.load(["shopKey", "customerId", "conversationId"]), shown: new Set(), busy: false };

function headers() {
  // Customer ids are in any script (cnjd喜哥2号); a header value is ASCII: percent-encoded UTF-8, which the API decodes.
  return { Authorization: `Bearer ${state.shopKey}`, "X-Customer-Id": encodeURIComponent(state.customerId) };
}

function addMessage(message) {
  // message: {id?, role, content, author?, citations?}
  if (message.id && state.shown.has(message.id)) return null;
  if (message.id) state.shown.add(message.id);
  const who = { customer: "You", assistant: "Assistant", agent: `Agent${message.author ? " " + message.author : ""}` }[message.role];
  const body = el("span", { class: "text" }, message.content);
  const node = el("div", { class: `message ${message.role}`, "data-role": message.role }, el("span", { class: "who" }, who), body);
  $("messages").append(node);
  if (message.citations && message.citations.length) addCitations(node, message.citations);
  if (message.role === "assistant" && message.id) addThumbs(node, message.id);
  $("messages").scrollTop = $("messages").scrollHeight;
  return node;
}

function addCitations(node, citations) {
  const list = el("ol", { class: "citations" });
  for (const citation of citations) list.append(el("li", { title: citation.snippet }, citation.title || citation.document_id));
  node.append(el("div", { class: "note" }, "Sources:"), list);
}

function addThumbs(node, messageId) {
  const bar = el("div", { class: "actions thumbs" });
  for (const [thumb, label] of [["up", "Helpful"], ["down", "Not helpful"]]) {
    const button = el("button", {
      type: "button", "data-thumb": thumb, "aria-label": `thumbs ${thumb}`,
      onclick: async () => {
        try {
          await Pages.call("POST", `/v1/conversations/${state.conversationId}/messages/${messageId}/rating`, headers(), { thumb });
          bar.querySelectorAll("button").forEach((b) => b.classList.toggle("chosen", b === button));
          Pages.showError($("error"), null);
        } catch (error) { Pages.showError($("error"), error); }
      },
    }, label);
    bar.append(button);
  }
  node.append(bar);
}

function addConfirmation(node, waiting) {
  // The reply already spells the actions out; the bar only asks (their descriptions are the tooltip).
  // "Yes" confirms every listed action; to choose some, the customer says which ("only 1").
  const title = waiting.map((pending) => pending.description).join("\n");
  const question = waiting.length > 1 ? `Go ahead with all ${waiting.length}?` : "Go ahead?";
  const bar = el("div", { class: "actions confirmation", title }, el("span", {}, question));
  for (const [answer, label] of [["yes", "Yes"], ["no", "No"]]) {
    bar.append(el("button", {
      type: "button", "data-confirm": answer,
      onclick: (event) => {
        event.target.classList.add("chosen");
        bar.querySelectorAll("button").forEach((b) => (b.disabled = true));
        send(answer);
      },
    }, label));
  }
  node.append(bar);
}

// Sends a message and reads the server-sent events of the reply as they arrive.
async function send(text) {
  if (state.busy || !text.trim()) return;
  state.busy = true;
  $("send").disabled = true;
  Pages.showError($("error"), null);
  addMessage({ role: "customer", content: text });
  const reply = addMessage({ role: "assistant", content: "…" });
  const body = reply.querySelector(".text");
  let written = "";
  try {
    const response = await fetch(`/v1/conversations/${state.conversationId}/messages/stream`, {
      method: "POST", headers: { ...headers(), "Content-Type": "application/json" }, body: JSON.stringify({ content: text }),
    });
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      throw new Error(`${response.status}: ${data.message || response.statusText}`);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = parseEvent(block);
        if (!event) continue;
        if (event.name === "token") { written += event.data.text; body.textContent = written; }
        else if (event.name === "final") finish(reply, event.data);
        else if (event.name === "error") throw new Error(event.data.message);
      }
    }
  } catch (error) {
    Pages.showError($("error"), error);
  } finally {
    state.busy = false;
    $("send").disabled = false;
  }
}

function parseEvent(block) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  return data.length ? { name, data: JSON.parse(data.join("\n")) } : null;
}

// The final event is authoritative: it replaces the streamed pieces.
function finish(node, result) {
  node.querySelector(".text").textContent = result.reply;
  node.setAttribute("data-final", "true");
  if (result.customer_message_id) state.shown.add(result.customer_message_id);
  if (result.message_id) {
    state.shown.add(result.message_id);
    node.setAttribute("data-message-id", result.message_id);
  }
  if (result.citations && result.citations.length) addCitations(node, result.citations);
  const waiting = result.pending_confirmations && result.pending_confirmations.length
    ? result.pending_confirmations : (result.pending_confirmation ? [result.pending_confirmation] : []);
  if (waiting.length) addConfirmation(node, waiting);
  if (result.message_id) addThumbs(node, result.message_id);
  $("handoff-banner").hidden = !result.handoff;
}

async function loadConversation() {
  const data = await Pages.call("GET", `/v1/conversations/${state.conversationId}`, headers());
  for (const message of data.messages) addMessage(message);
  const ended = data.conversation.status === "ended";
  $("message").disabled = ended;
  $("message").placeholder = ended ? "This conversation has ended." : "Type your message…";
}

async function startConversation() {
  const conversation = await Pages.call("POST", "/v1/conversations", headers());
  state.conversationId = conversation.id;
  Pages.save({ conversationId: conversation.id });
  state.shown.clear();
  $("messages").replaceChildren();
  $("csat-status").textContent = "";
  $("csat").querySelectorAll("button").forEach((b) => b.classList.remove("chosen"));
}

async function open() {
  try {
    if (!state.conversationId) await startConversation();
    $("conversation-id").textContent = state.conversationId;
    $("chat").hidden = false;
    await loadConversation();
    Pages.showError($("error"), null);
  } catch (error) {
    // A stale conversation id (another customer, or a fresh database): start a new one once.
    if (String(error.message).startsWith("404") && state.conversationId) {
      state.conversationId = "";
      return open();
    }
    Pages.showError($("error"), error);
  }
}

$("credentials").addEventListener("submit", (event) => {
  event.preventDefault();
  const customerChanged = state.customerId !== $("customer-id").value.trim();
  state.shopKey = $("shop-key").value.trim();
  state.customerId = $("customer-id").value.trim();
  if (customerChanged) state.conversationId = "";
  Pages.save({ shopKey: state.shopKey, customerId: state.customerId, conversationId: state.conversationId });
  open();
});
$("new-conversation").addEventListener("click", async () => {
  state.conversationId = "";
  await open();
});
$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("message").value;
  $("message").value = "";
  send(text);
});
$("csat").querySelectorAll("button").forEach((button) => {
  button.addEventListener("click", async () => {
    try {
      const score = Number(button.dataset.score);
      await Pages.call("POST", `/v1/conversations/${state.conversationId}/csat`, headers(), { score });
      $("csat").querySelectorAll("button").forEach((b) => b.classList.toggle("chosen", b === button));
      $("csat-status").textContent = `Thank you — you rated ${score} of 5.`;
    } catch (error) { Pages.showError($("error"), error); }
  });
});

// The human agent's replies arrive through the conversation's history.
setInterval(() => {
  if (state.conversationId && !state.busy && !$("chat").hidden) loadConversation().catch(() => {});
}, 3000);

$("shop-key").value = state.shopKey;
$("customer-id").value = state.customerId;
if (state.shopKey && state.customerId) open();
