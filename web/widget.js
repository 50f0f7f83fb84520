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
// A website the bot does not serve (KLYNGEBOT_ALLOWED_ORIGINS) gets a notice in place of the bubble, and the
// console names its origin and the setting (refused()).
"use strict";

var script = document.currentScript || document.querySelector('script[src*="/webhooks/webchat/widget.js"]');
var WIDGET_PATH = /\/webhooks\/webchat\/widget\.js(\?.*)?$/;
var DEFAULT_COLOR = "#0b5d8f";
var INK = "#1b2a3a";
var REPLY_TIMEOUT_MS = 30000;
var FOLDED_AFTER_LINES = 8;  // a longer answer (the reasoning behind a verdict) shows this many lines until asked
// WebSocket first, which needs nothing from the proxy after the handshake; where it fails (corporate proxies
// often refuse the upgrade) socket.io's long-polling, which is plain HTTP, and that is remembered (connect()).
var WEBSOCKET_FIRST = ["websocket", "polling"];
var POLLING_FIRST = ["polling", "websocket"];  // and upgraded to WebSocket where that works after all

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
// Web addresses, e-mail addresses and phone numbers (+47 22 03 70 00, 22 03 70 00, 815 48 000: pairs, or 3-2-3,
// never groups of three as in amounts such as 10 000 000) in one pass, so that no link is made inside another.
var LINKED = new RegExp([
  "(https?:\\/\\/[^\\s<]+[^\\s<.,;:!?)])",
  "([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,})",
  "((?:\\+\\d{2} ?)?(?:\\d{2} \\d{2} \\d{2} \\d{2}|\\d{3} \\d{2} \\d{3})|\\+\\d{2} ?\\d{8})(?! ?\\d)"
].join("|"), "g");
// The bot's light markdown: **bold**, and links; line breaks are kept by the CSS. The text is escaped first, and
// what the links add is made of the matched characters only, none of which can end an attribute.
function formatted(text) {
  return escapeHtml(text)
    .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
    .replace(LINKED, function (found, url, mail, phone, at, whole) {
      if (url) { return '<a href="' + url + '" target="_blank" rel="noopener noreferrer">' + url + "</a>"; }
      if (mail) { return '<a href="mailto:' + mail + '">' + mail + "</a>"; }
      if (/\d ?$/.test(whole.slice(0, at))) { return found; }  // the end of a longer number, not a phone number
      return '<a href="tel:' + phone.replace(/ /g, "") + '">' + phone + "</a>";
    });
}

// The widget's own corner of the page: a shadow root holding its stylesheet and `frame`.
function mount(frame) {
  var host = element("div", { "data-klyngebot": "" });
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  root.appendChild(element("link", { rel: "stylesheet", href: config.server + "/webhooks/webchat/widget.css" }));
  root.appendChild(frame);
  document.body.appendChild(host);
  return root;
}

function start(texts) {
  var state = {
    session: load("session", null),
    transcript: load("transcript", []),
    open: config.mode === "page" || load("open", false),
    // the page language goes with the first message of each conversation, so that the bot answers in it
    languageSent: load("languageSent", false)
  };
  var socket = null, replyTimer = null, unsent = [], folds = 0;

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
  var root = mount(frame);
  if (config.mode === "page") { document.documentElement.lang = config.language; }

  function render(entry, live) {
    var item = element("li", { "class": "kb-msg kb-msg--" + entry.from });
    item.appendChild(element("span", { "class": "kb-sr", text: (entry.from === "user" ? texts.you : texts.bot) + ": " }));
    if (entry.download) {
      var file = new Blob([entry.download.content], { type: entry.download.media_type + ";charset=utf-8" });
      item.appendChild(element("a", { "class": "kb-download", href: URL.createObjectURL(file),
                                      download: entry.download.file_name, text: entry.download.label }));
    } else {
      item.appendChild(answerText(entry.text || "", entry.from === "bot"));
    }
    if (entry.flaggable) { item.appendChild(thumbs(entry)); }
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
  // An answer's text; a bot's answer of more than FOLDED_AFTER_LINES lines shows those, and the rest behind a
  // "show more" button (the whole text stays in the page, so that searching it and copying it still work).
  function answerText(text, foldable) {
    var lines = text.split("\n"), shown = element("span");
    if (!foldable || lines.length <= FOLDED_AFTER_LINES) {
      shown.innerHTML = formatted(text);
      return shown;
    }
    folds += 1;
    var rest = element("span", { id: "kb-more-" + folds, hidden: "" });
    var more = element("button", { type: "button", "class": "kb-more", "aria-expanded": "false",
                                   "aria-controls": rest.id, text: texts.more });
    shown.innerHTML = formatted(lines.slice(0, FOLDED_AFTER_LINES).join("\n"));
    rest.innerHTML = formatted("\n" + lines.slice(FOLDED_AFTER_LINES).join("\n"));
    more.addEventListener("click", function () {
      rest.hidden = !rest.hidden;
      more.setAttribute("aria-expanded", String(!rest.hidden));
      more.textContent = rest.hidden ? texts.more : texts.less;
    });
    return element("span", {}, [shown, rest, element("br"), more]);
  }
  // 👍 and 👎 under an answer, one of them once: a 👎 flags the conversation for staff's review, a 👍 is kept
  // beside it (channels/webchat.py, thumb_answer)
  function thumbs(entry) {
    var group = element("div", { "class": "kb-thumbs", role: "group", "aria-label": texts.rate });
    [["thumbs_up", texts.thumbs_up, texts.thumbed_up], ["thumbs_down", texts.flag, texts.flagged]].forEach(
      function (choice) {
        var thumb = choice[0], button = element("button", {
          type: "button", "class": "kb-thumb kb-thumb--" + (thumb === "thumbs_up" ? "up" : "down"),
          "aria-label": choice[1], title: entry.thumb === thumb ? choice[2] : choice[1],
          "aria-pressed": String(entry.thumb === thumb) });
        // drawn, not the emoji: a system without an emoji font would show an empty box; 👍 is 👎 upside down
        var icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
        icon.setAttribute("viewBox", "0 0 24 24");
        icon.setAttribute("aria-hidden", "true");
        icon.innerHTML = '<path d="M2 3h4v11H2zM8 3h9a2 2 0 0 1 2 1.6l1.8 7A2 2 0 0 1 18.9 14H14l.8 4.2A2 2 0 0 1 ' +
                         '12.9 21L8 14z" fill="currentColor"' +
                         (thumb === "thumbs_up" ? ' transform="matrix(1 0 0 -1 0 24)"' : "") + "/>";
        button.appendChild(icon);
        button.disabled = !!entry.thumb;
        button.addEventListener("click", function () {
          if (!socket || !state.session) { return; }
          socket.emit("thumb_answer", { session_id: state.session, answer: entry.text, thumb: thumb });
          entry.thumb = thumb;
          save("transcript", state.transcript);
          Array.prototype.forEach.call(group.children, function (each) { each.disabled = true; });
          button.setAttribute("aria-pressed", "true");
          button.title = choice[2];
          input.focus();  // the pressed button is disabled now: keep the keyboard user in the chat
        });
        group.appendChild(button);
      });
    return group;
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
      transports: load("transports", WEBSOCKET_FIRST),
      tryAllTransports: true  // without it, socket.io 4.8 tries only the first transport, again and again
    });
    // what got through is where the next page starts, so that a blocked WebSocket costs its wait once
    socket.io.on("open", function () {
      var engine = socket.io.engine;
      save("transports", engine.transport.name === "polling" ? POLLING_FIRST : WEBSOCKET_FIRST);
      engine.on("upgrade", function () { save("transports", WEBSOCKET_FIRST); });
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

  // The open chat covers the whole page where the screen is small (widget.css): a modal dialog then, which
  // keeps the keyboard inside it, as there is nothing to see behind it. Measured, so that the CSS alone says when.
  function covering() {
    var box = panel.getBoundingClientRect(), view = document.documentElement;
    return config.mode === "bubble" && !panel.hidden && box.width >= view.clientWidth && box.height >= view.clientHeight;
  }
  function modality() {
    if (covering()) { panel.setAttribute("aria-modal", "true"); } else { panel.removeAttribute("aria-modal"); }
  }
  function focusable() {
    return Array.prototype.filter.call(panel.querySelectorAll("button, [href], input, [tabindex]"), function (node) {
      return !node.disabled && node.tabIndex >= 0 && node.getClientRects().length > 0;
    });
  }
  function focused() { return root.activeElement || document.activeElement; }
  function open(takeFocus) {
    state.open = true;
    save("open", true);
    panel.hidden = false;
    bubble.setAttribute("aria-expanded", "true");
    frame.classList.add("kb--open");
    connect();
    if (!state.transcript.length) { welcome(); }
    log.scrollTop = log.scrollHeight;
    modality();
    // a chat that covers the page takes the focus even on a reload: the page it would be left on is out of sight
    if (takeFocus || panel.hasAttribute("aria-modal")) { input.focus(); }
  }
  function shut() {
    state.open = false;
    save("open", false);
    panel.hidden = true;
    panel.removeAttribute("aria-modal");
    bubble.setAttribute("aria-expanded", "false");
    frame.classList.remove("kb--open");
    bubble.focus();
  }

  // after a reload, only the latest message's choices can still be answered
  state.transcript.forEach(function (entry, index) { render(entry, index === state.transcript.length - 1); });
  panel.hidden = true;
  bubble.addEventListener("click", function () { if (state.open) { shut(); } else { open(true); } });
  close.addEventListener("click", shut);
  window.addEventListener("resize", function () { if (state.open) { modality(); } });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && config.mode !== "page") { event.preventDefault(); shut(); }
    if (event.key !== "Tab" || !panel.hasAttribute("aria-modal")) { return; }
    var stops = focusable(), first = stops[0], last = stops[stops.length - 1];
    if (event.shiftKey ? focused() === first : focused() === last) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
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

// The texts could not be had. A refused origin and a server out of reach look the same to fetch, so the bot is
// asked with a <script>, which needs no CORS (channels/webchat.py, widget-origin.js): a refused website gets a
// notice where the bubble would be, and the console names the origin and the setting to change.
function refused(problem) {
  var asked = element("script", { src: config.server + "/webhooks/webchat/widget-origin.js?origin=" +
                                       encodeURIComponent(location.origin) + "&language=" + config.language });
  asked.addEventListener("klyngebot:origin", function (event) {
    var answer = event.detail;
    if (answer.allowed) { console.warn("Klyngebot: the chat cannot start:", problem); return; }
    console.error("Klyngebot: the chat is refused on " + answer.origin + ": " + config.server + " serves only the " +
                  "websites in its setting " + answer.setting + ". Add " + answer.origin + " to " + answer.setting +
                  " where the bot runs, and restart it.");
    var notice = element("p", { "class": "kb-refused", role: "note", lang: config.language, text: answer.notice });
    mount(element("div", { "class": "kb kb--" + config.mode }, [notice]));
  });
  asked.addEventListener("error", function () {
    console.warn("Klyngebot: the chat cannot start, " + config.server + " cannot be reached:", problem);
  });
  asked.addEventListener("load", function () { asked.remove(); });
  document.head.appendChild(asked);
}

function boot() {
  fetch(config.server + "/webhooks/webchat/widget-texts.json?language=" + config.language)
    .then(function (answer) {
      if (!answer.ok) { throw new Error("HTTP " + answer.status); }
      return answer.json();
    })
    .then(start, refused)
    .catch(function (error) { console.warn("Klyngebot: the chat cannot start:", error); });
}

if (document.body) { boot(); } else { document.addEventListener("DOMContentLoaded", boot); }
