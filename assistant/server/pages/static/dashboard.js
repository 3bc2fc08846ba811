// The operator dashboard: the figures of GET /v1/analytics/metrics as tiles and SVG bar charts, hot
// questions and knowledge gaps, and the volume forecast. Every figure shown is the API's, unchanged.
"use strict";

const $ = (id) => document.getElementById(id);
const el = Pages.el;
const SVG = "http://www.w3.org/2000/svg";
const state = { ...Pages.load(["operatorKey"]) };

function headers() {
  return { "X-Operator-Key": state.operatorKey };
}

function query() {
  const params = new URLSearchParams();
  if ($("from").value) params.set("from", $("from").value);
  if ($("to").value) params.set("to", $("to").value);
  return params;
}

const percent = (rate) => (rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`);
const number = (value, digits = 2) => (value === null || value === undefined ? "—" : Number(value).toFixed(digits));

function tile(name, label, value) {
  return el("div", { class: "tile", "data-metric": name }, el("div", { class: "value" }, value), el("div", { class: "label" }, label));
}

function tiles(total) {
  return [
    tile("conversations", "Conversations", total.conversations),
    tile("messages", "Messages (customer / assistant / agent)",
      `${total.messages.customer} / ${total.messages.assistant} / ${total.messages.agent}`),
    tile("transferred", "Transferred to a person", total.transfer.transferred),
    tile("transfer-rate", "Transfer rate", percent(total.transfer.rate)),
    tile("resolution-rate", `Resolved (${total.resolution.resolved} of ${total.resolution.finished})`, percent(total.resolution.rate)),
    tile("csat-count", "CSAT ratings", total.csat.count),
    tile("csat-mean", "CSAT mean (1–5)", number(total.csat.mean)),
    tile("thumbs", "Thumbs up / down", `${total.thumbs.up} / ${total.thumbs.down}`),
    tile("first-response", "First response p50 / p95 (s)",
      `${number(total.first_response_seconds.p50, 1)} / ${number(total.first_response_seconds.p95, 1)}`),
    tile("tokens", "Tokens (prompt + completion)", total.tokens.prompt + total.tokens.completion),
    tile("cost", "Estimated cost", number(total.tokens.estimated_cost, 4)),
    tile("tool-failures", `Tool calls failed (${total.tool_calls.failed} of ${total.tool_calls.total})`, percent(total.tool_calls.failure_rate)),
  ];
}

// A bar chart drawn as SVG: no chart library, nothing fetched from elsewhere.
function barChart(title, entries, name) {
  const width = 360, height = 180, left = 30, bottom = 40, top = 16;
  const max = Math.max(1, ...entries.map(([, value]) => value));
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", "100%");
  const slot = (width - left) / Math.max(1, entries.length);
  entries.forEach(([label, value], index) => {
    const barHeight = ((height - bottom - top) * value) / max;
    const x = left + index * slot + slot * 0.15;
    const y = height - bottom - barHeight;
    const rect = document.createElementNS(SVG, "rect");
    Object.entries({ x, y, width: slot * 0.7, height: barHeight, class: "bar", "data-label": label, "data-value": value }).forEach(([k, v]) => rect.setAttribute(k, v));
    const tip = document.createElementNS(SVG, "title");
    tip.textContent = `${label}: ${value}`;
    rect.append(tip);
    const figure = document.createElementNS(SVG, "text");
    Object.entries({ x: x + slot * 0.35, y: y - 3, "text-anchor": "middle" }).forEach(([k, v]) => figure.setAttribute(k, v));
    figure.textContent = Number.isInteger(value) ? value : value.toFixed(1);
    const caption = document.createElementNS(SVG, "text");
    Object.entries({ x: x + slot * 0.35, y: height - bottom + 14, "text-anchor": "middle" }).forEach(([k, v]) => caption.setAttribute(k, v));
    caption.textContent = String(label).slice(0, 12);
    svg.append(rect, figure, caption);
  });
  const card = el("div", { class: "card", "data-chart": name }, el("h3", {}, title));
  card.append(entries.length ? svg : el("p", { class: "note" }, "No data in this period."));
  return card;
}

function clusterTable(clusters, gaps) {
  if (!clusters.length) return el("p", { class: "note" }, "None in this period.");
  const head = el("tr", {}, el("th", {}, "Question"), el("th", {}, "Count"), el("th", {}, gaps ? "Bad answers" : "Growth"));
  const rows = clusters.map((cluster) => el("tr", {},
    el("td", { title: cluster.examples.join("\n") }, cluster.representative),
    el("td", {}, cluster.size),
    el("td", {}, gaps ? `${cluster.bad_answers} (${percent(cluster.gap_share)})` : cluster.growth === null ? "new" : percent(cluster.growth))));
  return el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows));
}

async function show() {
  const params = query();
  const metrics = await Pages.call("GET", `/v1/analytics/metrics?${params}`, headers());
  const daily = await Pages.call("GET", `/v1/analytics/metrics?${params}&group_by=day`, headers());
  const total = metrics.report.total;
  $("period").textContent = `${metrics.period.start} → ${metrics.period.end} (${metrics.period.timezone})`;
  $("period").setAttribute("data-start", metrics.period.start);
  $("period").setAttribute("data-end", metrics.period.end);
  $("tiles").replaceChildren(...tiles(total));
  $("charts").replaceChildren(
    barChart("Conversations per day", daily.report.groups.map((group) => [group.key, group.conversations]), "per-day"),
    barChart("CSAT scores", Object.entries(total.csat.distribution), "csat"),
    barChart("Sentiment of customer messages", Object.entries(total.sentiment.counts), "sentiment"),
    barChart("Transfer reasons", Object.entries(total.transfer.reasons), "transfer-reasons"),
  );
  $("figures").hidden = false;
  Pages.showError($("error"), null);
  // Questions and the forecast take longer (clustering, model fitting): shown when they arrive.
  $("hot").textContent = $("gaps").textContent = $("forecast").textContent = "Loading…";
  const [questions, forecast] = await Promise.allSettled([
    Pages.call("GET", `/v1/analytics/questions?${params}`, headers()),
    Pages.call("GET", "/v1/analytics/forecast?days=7", headers()),
  ]);
  if (questions.status === "fulfilled") {
    $("hot").replaceChildren(clusterTable(questions.value.report.hot, false));
    $("gaps").replaceChildren(clusterTable(questions.value.report.gaps, true));
  } else {
    $("hot").textContent = $("gaps").textContent = questions.reason.message;
  }
  if (forecast.status === "fulfilled") {
    const days = Object.entries(forecast.value.daily_totals);
    $("forecast").replaceChildren(
      el("p", { class: "note" }, `Method ${forecast.value.method}, from ${forecast.value.history_conversations} conversations over ${forecast.value.history_hours} hours.`),
      barChart("Expected conversations per day", days.map(([day, value]) => [day.slice(5), value]), "forecast"));
  } else {
    $("forecast").textContent = forecast.reason.message;
  }
  document.body.setAttribute("data-loaded", "true");
}

$("credentials").addEventListener("submit", (event) => {
  event.preventDefault();
  state.operatorKey = $("operator-key").value.trim();
  Pages.save({ operatorKey: state.operatorKey });
  document.body.removeAttribute("data-loaded");
  show().catch((error) => Pages.showError($("error"), error));
});

$("operator-key").value = state.operatorKey;
