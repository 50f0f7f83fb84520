// Klyngebot's chat widget. A cluster's website embeds it with one tag:
//
//   <script src="https://bot.example.no/webhooks/webchat/widget.js" data-language="nb" defer></script>
//
// Attributes (all optional): data-server (the bot's address; default: where this script comes from),
// data-language (nb|en; default: the page's <html lang>), data-title, data-color (a #hex brand colour),
// data-storage (local|session: how long the conversation is kept; default local), data-mode (bubble|page:
// a bubble in the corner, or the whole page as on /webhooks/webchat/chat/).
//
// The webchat channel serves this file wrapped in a closure with the socket.io client as `io`
// (channels/webchat.py); the labels come from its /widget-texts.json (bot/data/messages/widget.yaml).
// Everything lives in a shadow root, so the host page's styles and this widget's cannot touch each other.
"use strict";

var script = document.currentScript || document.querySelector('script[src*="/webhooks/webchat/widget.js"]');
var WIDGET_PATH = /\/webhooks\/webchat\/widget\.js(\?.*)?$/;
var DEFAULT_COLOR = "#0b5d8f";
var INK = "#1b2a3a";
var REPLY_TIMEOUT_MS = 30000;

function attribute(name) {
  var value = script && script.getAttribute("data-" + name);
  return value ? value.trim() : "";
}

function pageLanguage() {
  var chosen = (attribute("language") || document.documentElement.lang || navigator.language || "").toLowerCase();
  return /^en\b/.test(chosen) ? "en" : "nb";  // nb, nn, no and anything else: the clusters' own language
}

// WCAG 2.1 relative luminance and contrast ratio, to pick readable text for the site's brand colour.
function luminance(hex) {
  var digits = hex.replace("#", "");
  if (digits.length === 3) { digits = digits.replace(/./g, "$&$&"); }
  return [0, 2, 4].map(function (at) {
    var channel = parseInt(digits.substr(at, 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : Math.pow((channel + 0.055) / 1.055, 2.4);
  }).reduce(function (sum, channel, index) { return sum + channel * [0.2126, 0.7152, 0.0722][index]; }, 0);
}
function contrast(first, second) {
  var a = luminance(first), b = luminance(second);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
function palette(color) {
  var brand = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(color) ? color : DEFAULT_COLOR;
  return {
    "--kb-brand": brand,
    "--kb-on-brand": contrast(brand, "#ffffff") >= contrast(brand, INK) ? "#ffffff" : INK,
    // brand-coloured text and focus rings on white only where the brand is dark enough to read
    "--kb-accent": contrast(brand, "#ffffff") >= 4.5 ? brand : INK
  };
}

var config = {
  server: (attribute("server") || (script ? script.src.replace(WIDGET_PATH, "") : location.origin)).replace(/\/$/, ""),
  language: pageLanguage(),
  title: attribute("title"),
  colors: palette(attribute("color")),
  storage: attribute("storage") === "session" ? window.sessionStorage : window.localStorage,
  mode: attribute("mode") === "page" ? "page" : "bubble"
};
var KEY = "klyngebot:" + config.server + ":";

function load(name, fallback) {
  try { return JSON.parse(config.storage.getItem(KEY + name)) || fallback; } catch (error) { return fallback; }
}
function save(name, value) {
  try { config.storage.setItem(KEY + name, JSON.stringify(value)); } catch (error) { /* full or blocked: the chat still works */ }
}

function element(tag, attributes, children) {
  var node = document.createElement(tag);
  Object.keys(attributes || {}).forEach(function (name) {
    if (name === "text") { node.textContent = attributes.text; } else { node.setAttribute(name, attributes[name]); }
  });
  (children || []).forEach(function (child) { node.appendChild(child); });
  return node;
}

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}
// The bot's light markdown: **bold**, and web addresses as links; line breaks are kept by the CSS.
function formatted(text) {
  return escapeHtml(text)
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(/https?:\/\/[^\s<]+[^\s<.,;:!?)]/g, function (url) {
      return '<a href="' + url + '" target="_blank" rel="noopener noreferrer">' + url + "</a>";
    });
}

function start(texts) {
  var state = {
    session: load("session", null),
    transcript: load("transcript", []),
    open: config.mode === "page" || load("open", false),
    // the page language goes with the first message of each conversation, so that the bot answers in it
    languageSent: load("languageSent", false)
  };
  var socket = null, replyTimer = null, unsent = [];

  var host = element("div", { "data-klyngebot": "" });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var heading = element(config.mode === "page" ? "h1" : "h2", { id: "kb-title", text: config.title || texts.title });
  var bubble = element("button", { type: "button", "class": "kb-bubble", "aria-controls": "kb-panel",
                                   "aria-expanded": "false", "aria-label": texts.open });
  bubble.innerHTML = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">' +
    '<path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg>';
  var restart = element("button", { type: "button", "class": "kb-restart" }, [
    element("span", { "aria-hidden": "true", text: "↺ " }), document.createTextNode(texts.restart)]);
  var close = element("button", { type: "button", "class": "kb-close", "aria-label": texts.close, text: "×" });
  var log = element("ol", { "class": "kb-log", role: "log", "aria-live": "polite", "aria-label": texts.transcript,
                            tabindex: "-1" });
  var typing = element("div", { "class": "kb-typing", hidden: "" }, [
    element("span", { "class": "kb-dots", "aria-hidden": "true" }, [element("i"), element("i"), element("i")]),
    element("span", { "class": "kb-sr", text: texts.typing })]);
  var status = element("p", { "class": "kb-status", role: "status" });
  var input = element("input", { id: "kb-input", type: "text", autocomplete: "off", placeholder: texts.placeholder,
                                 maxlength: String(texts.max_chars) });
  var form = element("form", { "class": "kb-composer" }, [
    element("label", { "for": "kb-input", "class": "kb-sr", text: texts.message }), input,
    element("button", { type: "submit", text: texts.send })]);
  var panel = element("section", { id: "kb-panel", "class": "kb-panel", role: "dialog", "aria-labelledby": "kb-title",
                                    lang: config.language }, [
    element("header", { "class": "kb-header" }, [
      element("div", { "class": "kb-heading" }, [heading, element("p", { text: texts.subtitle })]),
      restart].concat(config.mode === "page" ? [] : [close])),
    log, typing, status, form]);
  var frame = element("div", { "class": "kb kb--" + config.mode }, (config.mode === "page" ? [] : [bubble]).concat([panel]));
  Object.keys(config.colors).forEach(function (name) { frame.style.setProperty(name, config.colors[name]); });
  root.appendChild(element("link", { rel: "stylesheet", href: config.server + "/webhooks/webchat/widget.css" }));
  root.appendChild(frame);
  document.body.appendChild(host);
  if (config.mode === "page") { document.documentElement.lang = config.language; }

  function render(entry, live) {
    var item = element("li", { "class": "kb-msg kb-msg--" + entry.from });
    item.appendChild(element("span", { "class": "kb-sr", text: (entry.from === "user" ? texts.you : texts.bot) + ": " }));
    if (entry.download) {
      var file = new Blob([entry.download.content], { type: entry.download.media_type + ";charset=utf-8" });
      item.appendChild(element("a", { "class": "kb-download", href: URL.createObjectURL(file),
                                      download: entry.download.file_name, text: entry.download.label }));
    } else {
      item.appendChild(element("span"));
      item.lastChild.innerHTML = formatted(entry.text || "");
    }
    if (entry.flaggable) { item.appendChild(flagButton(entry)); }
    log.appendChild(item);
    if (entry.buttons && entry.buttons.length) {
      var group = element("div", { role: "group", "aria-label": texts.choices });
      entry.buttons.forEach(function (choice) {
        var button = element("button", { type: "button", text: choice.title });
        button.disabled = !live;
        button.addEventListener("click", function () {
          Array.prototype.forEach.call(group.children, function (b) { b.disabled = true; });
          send(choice.payload, choice.title);
          input.focus();  // the chosen button is disabled now: keep the keyboard user in the chat
        });
        group.appendChild(button);
      });
      log.appendChild(element("li", { "class": "kb-choices" }, [group]));
    }
    log.scrollTop = log.scrollHeight;
  }
  // 👎 on an answer: the conversation is flagged for staff's review (channels/webchat.py, flag_answer)
  function flagButton(entry) {
    var flag = element("button", { type: "button", "class": "kb-flag", "aria-label": texts.flag, title: texts.flag,
                                   "aria-pressed": String(!!entry.flagged) });
    // drawn, not the emoji: a system without an emoji font would show an empty box
    var icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    icon.innerHTML = '<path d="M2 3h4v11H2zM8 3h9a2 2 0 0 1 2 1.6l1.8 7A2 2 0 0 1 18.9 14H14l.8 4.2A2 2 0 0 1 ' +
                     '12.9 21L8 14z" fill="currentColor"/>';
    flag.appendChild(icon);
    flag.disabled = !!entry.flagged;
    flag.addEventListener("click", function () {
      if (!socket || !state.session) { return; }
      socket.emit("flag_answer", { session_id: state.session, answer: entry.text });
      entry.flagged = true;
      save("transcript", state.transcript);
      flag.disabled = true;
      flag.setAttribute("aria-pressed", "true");
      flag.title = texts.flagged;
    });
    return flag;
  }
  function remember(entry) {
    state.transcript.push(entry);
    state.transcript = state.transcript.slice(-200);
    save("transcript", state.transcript);
    Array.prototype.forEach.call(log.querySelectorAll(".kb-choices button"), function (b) { b.disabled = true; });
    render(entry, true);
  }
  function welcome() {
    remember({ from: "bot", text: texts.welcome, buttons: texts.welcome_choices });
  }
  function waiting(on) {
    typing.hidden = !on;
    clearTimeout(replyTimer);
    if (on) { replyTimer = setTimeout(function () { typing.hidden = true; }, REPLY_TIMEOUT_MS); }
  }

  function connect() {
    if (socket) { return; }
    socket = io(new URL(config.server).origin, {
      path: new URL(config.server).pathname.replace(/\/$/, "") + "/socket.io",
      transports: ["websocket", "polling"]
    });
    socket.on("connect", function () {
      if (status.textContent === texts.offline) { status.textContent = ""; }
      socket.emit("session_request", { session_id: state.session });
    });
    socket.on("session_confirm", function (session) {
      var id = typeof session === "string" ? session : session.session_id;
      state.session = id;
      save("session", id);
      unsent.splice(0).forEach(function (message) {
        message.session_id = id;
        socket.emit("user_uttered", message);
      });
    });
    socket.on("bot_uttered", function (message) {
      waiting(false);
      if (message.download) {  // a file the bot offers (the ranking as CSV): a link, no text
        remember({ from: "bot", download: message.download });
        return;
      }
      var buttons = (message.quick_replies || message.buttons || []).map(function (b) {
        return { title: b.title, payload: b.payload };
      });
      remember({ from: "bot", text: message.text || "", buttons: buttons, flaggable: true });
    });
    socket.on("connect_error", function () { status.textContent = texts.offline; waiting(false); });
    socket.on("disconnect", function (reason) {
      if (reason !== "io client disconnect") { status.textContent = texts.offline; }
    });
  }

  function send(payload, shown) {
    if (!payload) { return; }
    remember({ from: "user", text: shown || payload });
    var message = { message: payload, session_id: state.session };
    if (!state.languageSent) {
      message.metadata = { language: config.language };
      state.languageSent = true;
      save("languageSent", true);
    }
    if (state.session) { socket.emit("user_uttered", message); } else { unsent.push(message); }
    waiting(true);
  }

  function open(takeFocus) {
    state.open = true;
    save("open", true);
    panel.hidden = false;
    bubble.setAttribute("aria-expanded", "true");
    frame.classList.add("kb--open");
    connect();
    if (!state.transcript.length) { welcome(); }
    log.scrollTop = log.scrollHeight;
    if (takeFocus) { input.focus(); }
  }
  function shut() {
    state.open = false;
    save("open", false);
    panel.hidden = true;
    bubble.setAttribute("aria-expanded", "false");
    frame.classList.remove("kb--open");
    bubble.focus();
  }

  // after a reload, only the latest message's choices can still be answered
  state.transcript.forEach(function (entry, index) { render(entry, index === state.transcript.length - 1); });
  panel.hidden = true;
  bubble.addEventListener("click", function () { if (state.open) { shut(); } else { open(true); } });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && config.mode !== "page") { event.preventDefault(); shut(); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    input.value = "";
    if (text && socket) { send(text); }
  });
  restart.addEventListener("click", function () {
    // a new conversation: a fresh session id from the server, and the old transcript gone
    state.transcript = [];
    save("transcript", []);
    state.session = null;
    save("session", null);
    state.languageSent = false;
    save("languageSent", false);
    log.innerHTML = "";
    waiting(false);
    socket.disconnect();
    socket.connect();
    status.textContent = texts.restart_done;
    welcome();
    input.focus();
  });
  // open as it was left on the previous page, without taking the focus from the host page
  if (state.open) { open(config.mode === "page"); }
}

function boot() {
  fetch(config.server + "/webhooks/webchat/widget-texts.json?language=" + config.language)
    .then(function (answer) {
      if (!answer.ok) { throw new Error("HTTP " + answer.status); }
      return answer.json();
    })
    .then(start)
    .catch(function (error) { console.warn("Klyngebot: the chat cannot start:", error); });
}

if (document.body) { boot(); } else { document.addEventListener("DOMContentLoaded", boot); }
