// The agent console: the handoff queue, a conversation with the customer's profile beside it,
// a drafted reply with its sources (approve / edit / send), resolve and hand back.
"use strict";

const $ = (id) => document.getElementById(id);
const el = Pages.el;
const state = { ...Pages.load(["agentToken"]), agent: null, handoff: null, draft: null };

function headers() {
  return { Authorization: `Bearer ${state.agentToken}` };
}

async function act(work) {
  try {
    await work();
    Pages.showError($("error"), null);
  } catch (error) { Pages.showError($("error"), error); }
}

async function signIn() {
  state.agent = await Pages.call("GET", "/v1/agent/me", headers());
  $("agent-name").textContent = `Signed in as ${state.agent.name}`;
  $("desk").hidden = false;
  await loadQueue();
}

async function loadQueue() {
  const handoffs = await Pages.call("GET", "/v1/agent/handoffs", headers());
  const rows = handoffs.map((handoff) => {
    const row = el("tr", { class: "clickable", "data-handoff-id": handoff.id, "data-conversation-id": handoff.conversation_id,
      onclick: () => act(() => openHandoff(handoff.id)) },
      el("td", {}, handoff.customer_id), el("td", {}, handoff.reason), el("td", { class: "status" }, handoff.status));
    if (state.handoff && state.handoff.id === handoff.id) row.classList.add("selected");
    return row;
  });
  $("queue").replaceChildren(...rows);
  $("queue-empty").hidden = rows.length > 0;
}

async function openHandoff(handoffId) {
  const detail = await Pages.call("GET", `/v1/agent/handoffs/${handoffId}`, headers());
  state.handoff = detail.handoff;
  const handoff = detail.handoff;
  $("conversation").hidden = false;
  $("handoff-status").textContent = `${handoff.status} · ${handoff.reason}`;
  $("handoff-status").setAttribute("data-status", handoff.status);
  $("summary").textContent = `Wants: ${handoff.summary.customer_wants} — next step: ${handoff.summary.suggested_next_step || "—"}`;
  $("messages").replaceChildren(...detail.messages.map((message) => el("div", { class: `message ${message.role}` },
    el("span", { class: "who" }, message.role + (message.author ? ` (${message.author})` : "")), message.content)));
  const mine = handoff.claimed_by === state.agent.id;
  const open = ["queued", "assigned", "claimed"].includes(handoff.status);
  $("claim").disabled = !open || handoff.status === "claimed";
  for (const id of ["send", "resolve", "hand-back"]) $(id).disabled = !(mine && handoff.status === "claimed");
  $("draft").disabled = !open;
  $("pending").hidden = !handoff.pending_action_id || !mine;
  $("pending-text").textContent = handoff.summary.pending_action ? `Waiting for approval: ${JSON.stringify(handoff.summary.pending_action)}` : "";
  document.querySelectorAll("#queue tr").forEach((row) => row.classList.toggle("selected", row.dataset.handoffId === handoff.id));
  await loadProfile(handoff.customer_id);
}

async function loadProfile(customerId) {
  $("profile").hidden = false;
  try {
    const profile = await Pages.call("GET", `/v1/agent/customers/${encodeURIComponent(customerId)}/profile`, headers());
    const crm = profile.crm || {};
    const name = crm.name ? (typeof crm.name === "object" ? Object.values(crm.name).join(" ") : crm.name) : customerId;
    const facts = [
      ["Customer", name], ["Id", profile.customer_id], ["CRM", profile.crm_status], ["E-mail", crm.email],
      ["Tags", (crm.tags || []).join(", ") || undefined], ["Orders", crm.orders ? crm.orders.length : undefined],
      ["Conversations (window)", profile.contact.conversations_in_window], ["Complaints", profile.complaints],
      ["Open tickets", profile.open_tickets], ["Sentiment trend", profile.trend],
      ["Intents", Object.entries(profile.intents).map(([k, v]) => `${k} ${v}`).join(", ") || "—"],
      ["Complaint risk", profile.risk.flagged ? `YES (${profile.risk.signals.join(", ")})` : "no"],
    ];
    $("profile-body").replaceChildren(el("table", {}, ...facts.filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, String(v))))));
  } catch (error) {
    $("profile-body").replaceChildren(el("p", { class: "note" }, `No profile: ${error.message}`));
  }
}

async function reopen() {
  await openHandoff(state.handoff.id);
  await loadQueue();
}

$("credentials").addEventListener("submit", (event) => {
  event.preventDefault();
  state.agentToken = $("agent-token").value.trim();
  Pages.save({ agentToken: state.agentToken });
  act(signIn);
});
$("refresh").addEventListener("click", () => act(loadQueue));
$("claim").addEventListener("click", () => act(async () => {
  await Pages.call("POST", `/v1/agent/handoffs/${state.handoff.id}/claim`, headers());
  await reopen();
}));
$("draft").addEventListener("click", () => act(async () => {
  $("draft").disabled = true;
  $("draft-sources").textContent = "Drafting…";
  try {
    const draft = await Pages.call("POST", "/v1/agent/drafts", headers(), { conversation_id: state.handoff.conversation_id });
    state.draft = draft;
    $("reply").value = draft.variants[0].text;
    const sources = draft.sources.map((source) => source.title || source.document_id);
    $("draft-sources").textContent = sources.length ? `Sources: ${sources.join("; ")}` : "No sources.";
  } finally { $("draft").disabled = false; }
}));
$("send").addEventListener("click", () => act(async () => {
  const text = $("reply").value.trim();
  if (!text) throw new Error("Write a reply first.");
  if (state.draft && state.draft.conversation_id === state.handoff.conversation_id) {
    // Sending through the draft records whether (and how much) the agent edited it.
    await Pages.call("POST", `/v1/agent/drafts/${state.draft.id}/send`, headers(), { text, tone: state.draft.variants[0].tone });
  } else {
    await Pages.call("POST", `/v1/agent/handoffs/${state.handoff.id}/reply`, headers(), { content: text });
  }
  state.draft = null;
  $("reply").value = "";
  $("draft-sources").textContent = "";
  await reopen();
}));
$("resolve").addEventListener("click", () => act(async () => {
  await Pages.call("POST", `/v1/agent/handoffs/${state.handoff.id}/resolve`, headers(), { note: $("note").value || null });
  await reopen();
}));
$("hand-back").addEventListener("click", () => act(async () => {
  await Pages.call("POST", `/v1/agent/handoffs/${state.handoff.id}/hand-back`, headers(), { note: $("note").value || null });
  await reopen();
}));
$("approve").addEventListener("click", () => act(async () => {
  await Pages.call("POST", `/v1/agent/handoffs/${state.handoff.id}/approve`, headers());
  await reopen();
}));
$("decline").addEventListener("click", () => act(async () => {
  await Pages.call("POST", `/v1/agent/handoffs/${state.handoff.id}/decline`, headers(), { reason: $("note").value || null });
  await reopen();
}));

setInterval(() => { if (state.agent) loadQueue().catch(() => {}); }, 5000);

$("agent-token").value = state.agentToken;
if (state.agentToken) act(signIn);
