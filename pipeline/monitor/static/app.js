// newsbeam monitor dashboard: polls the /api endpoints and redraws. Text from feeds is untrusted:
// it only ever reaches the page through textContent, never innerHTML.
"use strict";

const REFRESH_MS = 5000;
const SVG_NS = "http://www.w3.org/2000/svg";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : document.createTextNode(child == null ? "" : String(child)));
  }
  return node;
}

function relative(epoch, now) {
  if (epoch == null) return "—";
  const seconds = Math.round(epoch - now);
  const size = Math.abs(seconds);
  const text = size < 90 ? `${size} s` : size < 5400 ? `${Math.round(size / 60)} min` : `${(size / 3600).toFixed(1)} h`;
  return seconds <= 0 ? `${text} ago` : `in ${text}`;
}

function absolute(epoch) {
  return epoch == null ? "" : new Date(epoch * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

async function getJSON(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok && response.status !== 503) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

function replaceRows(tableId, rows, emptyText, columns) {
  const body = document.querySelector(`#${tableId} tbody`);
  body.replaceChildren();
  if (!rows.length) {
    body.append(el("tr", {}, el("td", { colspan: String(columns), class: "muted" }, emptyText)));
    return;
  }
  for (const row of rows) body.append(row);
}

function renderSummary(summary) {
  document.getElementById("prefix").textContent = `${summary.prefix}.*`;
  const badge = document.getElementById("health");
  const healthy = summary.health.healthy;
  badge.textContent = healthy ? "healthy" : "unhealthy";
  badge.className = `badge ${healthy ? "healthy" : "unhealthy"}`;
  const beat = summary.heartbeat;
  document.getElementById("heartbeat").textContent = beat
    ? `heartbeat #${beat.sequence} of ${beat.job} (${beat.mode}${beat.final ? ", finished" : ""}) ${relative(summary.now - beat.age, summary.now)}`
    : "no heartbeat yet";
  const backfill = (summary.backfills || [])[0];
  document.getElementById("backfill").textContent = backfill
    ? `backfill ${backfill.job}: ${backfill.records} records read` +
      (backfill.records_per_second ? ` (${Math.round(backfill.records_per_second)}/s)` : "") +
      `, ${backfill.pages} pages, ${backfill.dead} dead, ${backfill.parts_done} parts of ${backfill.files} files done,` +
      ` last report ${relative(backfill.last_report, summary.now)}`
    : "";
  const problems = document.getElementById("problems");
  problems.replaceChildren(...summary.health.problems.map((text) => el("li", {}, text)));
  document.getElementById("problems-section").hidden = summary.health.problems.length === 0;
  const counters = Object.entries(summary.counters).sort(([a], [b]) => a.localeCompare(b));
  replaceRows(
    "counters",
    counters.map(([name, value]) => el("tr", {}, el("td", {}, name), el("td", { class: "num" }, value))),
    "no heartbeat yet",
    2,
  );
}

function renderFeeds(feeds, now) {
  replaceRows(
    "feeds",
    feeds.map((feed) =>
      el(
        "tr",
        { class: feed.status, "data-feed": feed.feed },
        el("td", { title: feed.url }, feed.feed),
        el("td", {}, el("span", { class: `status ${feed.status}` }, feed.status)),
        el("td", { title: absolute(feed.last_poll) }, relative(feed.last_poll, now)),
        el("td", { title: absolute(feed.next_poll) }, relative(feed.next_poll, now)),
        el("td", { class: "num" }, feed.new_articles_last_hour),
        el("td", { class: "num" }, feed.consecutive_failures),
        el("td", { class: "error" }, feed.last_error || ""),
      ),
    ),
    "waiting for feed polls on the ops topic…",
    7,
  );
}

function drawChart(svgId, minutes, seriesList) {
  // one group of bars per minute; each series gets its share of the group's width
  const svg = document.getElementById(svgId);
  const width = 600, height = 160, left = 30, bottom = 18, top = 8;
  const max = Math.max(1, ...seriesList.flatMap((s) => s.values));
  const slot = (width - left - 4) / Math.max(1, minutes.length);
  const barWidth = Math.max(1, (slot * 0.8) / seriesList.length);
  const y = (v) => height - bottom - (v / max) * (height - bottom - top);
  const parts = [
    el.svg("line", { class: "axis", x1: left, y1: height - bottom, x2: width, y2: height - bottom }),
    el.svg("line", { class: "axis", x1: left, y1: top, x2: left, y2: height - bottom }),
    el.svg("text", { x: 2, y: top + 8 }, String(max)),
    el.svg("text", { x: 2, y: height - bottom }, "0"),
  ];
  if (minutes.length) {
    const first = new Date(minutes[0] * 1000).toISOString().slice(11, 16);
    const last = new Date(minutes[minutes.length - 1] * 1000).toISOString().slice(11, 16);
    parts.push(el.svg("text", { x: left, y: height - 4 }, `${first} UTC`));
    parts.push(el.svg("text", { x: width - 30, y: height - 4 }, last));
  }
  seriesList.forEach((series, index) => {
    series.values.forEach((value, i) => {
      if (!value) return;
      const x = left + i * slot + slot * 0.1 + index * barWidth;
      const bar = el.svg("rect", { class: series.className, x: x.toFixed(1), y: y(value).toFixed(1),
        width: barWidth.toFixed(1), height: (height - bottom - y(value)).toFixed(1) });
      bar.append(el.svg("title", {}, `${new Date(minutes[i] * 1000).toISOString().slice(11, 16)} UTC: ${value} ${series.label}`));
      parts.push(bar);
    });
  });
  svg.replaceChildren(...parts);
}

el.svg = function (tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
};

function renderSeries(series) {
  drawChart("throughput-chart", series.minutes, [
    { values: series.articles, className: "articles", label: "articles" },
    { values: series.dead_letters, className: "dead", label: "dead letters" },
  ]);
  drawChart("flagged-chart", series.minutes, [{ values: series.flagged, className: "flagged", label: "flagged" }]);
}

function renderFlagged(stories, now) {
  const list = document.getElementById("flagged");
  if (!stories.length) {
    list.replaceChildren(el("li", { class: "muted" }, "none yet"));
    return;
  }
  list.replaceChildren(
    ...stories.slice(0, 10).map((story) => {
      const safeUrl = /^https?:\/\//.test(story.url || "") ? story.url : undefined;
      const item = el(
        "li",
        {},
        el("a", { href: safeUrl, rel: "noopener noreferrer", target: "_blank" }, story.title || story.url),
        el(
          "div",
          { class: "meta" },
          `${story.feed} · ${story.language || "?"} · score ${Number(story.score || 0).toFixed(2)} · ` +
            `${(story.categories || []).join(", ")} · ${(story.jurisdictions || []).join(", ")} · ${relative(story.at, now)}`,
        ),
      );
      for (const evidence of story.evidence || []) {
        item.append(
          el("blockquote", {}, evidence.sentence, el("div", { class: "signals" }, (evidence.signals || []).join(" · "))),
        );
      }
      return item;
    }),
  );
}

function renderDeadLetters(dead) {
  replaceRows(
    "deadletters",
    dead.reasons.map((row) =>
      el("tr", {}, el("td", {}, row.stage), el("td", {}, row.reason), el("td", { class: "num" }, row.count)),
    ),
    "none",
    3,
  );
}

function renderLag(lag) {
  const rows = lag.groups.map((row) =>
    el(
      "tr",
      {},
      el("td", {}, row.group),
      el("td", {}, row.topic),
      el("td", { class: "num" }, row.lag),
      el("td", { class: "num" }, row.end),
    ),
  );
  replaceRows("lag", rows, lag.error ? `lag unavailable: ${lag.error}` : "no consumer groups", 4);
}

async function refresh() {
  try {
    const [summary, feeds, series, flagged, dead, lag] = await Promise.all([
      getJSON("/api/summary"),
      getJSON("/api/feeds"),
      getJSON("/api/series"),
      getJSON("/api/flagged"),
      getJSON("/api/deadletters"),
      getJSON("/api/lag"),
    ]);
    renderSummary(summary);
    renderFeeds(feeds, summary.now);
    renderSeries(series);
    renderFlagged(flagged, summary.now);
    renderDeadLetters(dead);
    renderLag(lag);
    document.getElementById("updated").textContent = new Date().toISOString().slice(11, 19) + " UTC";
    document.body.dataset.loaded = "true";
  } catch (error) {
    // the monitor restarting is not a page bug: say so on the page and try again at the next tick
    const badge = document.getElementById("health");
    badge.textContent = "monitor unreachable";
    badge.className = "badge unknown";
    document.getElementById("heartbeat").textContent = String(error.message || error);
  }
}

refresh();
setInterval(refresh, REFRESH_MS);
