// Klyngebot's chat page: talks to Rasa's socket.io channel on the same origin, keeps its session id and
// transcript in localStorage so that a reload continues the conversation, renders **bold** and line
// breaks, and shows the bot's buttons as quick replies.
(function () {
  "use strict";
  var SESSION_KEY = "klyngebot.session", TRANSCRIPT_KEY = "klyngebot.transcript";
  var list = document.getElementById("messages");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var status = document.getElementById("status");
  var transcript = JSON.parse(localStorage.getItem(TRANSCRIPT_KEY) || "[]");
  var socket = io({ path: "/socket.io", transports: ["websocket", "polling"] });

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function formatted(text) {  // the bot's light markdown; everything else is shown as typed
    return escapeHtml(text).replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>");
  }
  function render(entry, live) {
    var item = document.createElement("li");
    item.className = "message message--" + entry.from;
    item.innerHTML = formatted(entry.text || "");
    list.appendChild(item);
    if (entry.buttons && entry.buttons.length) {
      var choices = document.createElement("li");
      choices.className = "quick-replies";
      entry.buttons.forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.title;
        button.disabled = !live;
        button.addEventListener("click", function () {
          Array.prototype.forEach.call(choices.children, function (b) { b.disabled = true; });
          send(choice.payload, choice.title);
        });
        choices.appendChild(button);
      });
      list.appendChild(choices);
    }
    list.scrollTop = list.scrollHeight;
  }
  function remember(entry) {
    transcript.push(entry);
    localStorage.setItem(TRANSCRIPT_KEY, JSON.stringify(transcript.slice(-200)));
    render(entry, true);
  }
  function send(payload, shown) {
    var session = localStorage.getItem(SESSION_KEY);
    if (!payload || !session) { return; }
    remember({ from: "user", text: shown || payload });
    socket.emit("user_uttered", { message: payload, session_id: session });
  }

  // after a reload, only the latest question's quick replies can still be answered
  transcript.forEach(function (entry, index) { render(entry, index === transcript.length - 1); });
  socket.on("connect", function () {
    status.textContent = "";
    socket.emit("session_request", { session_id: localStorage.getItem(SESSION_KEY) });
  });
  socket.on("session_confirm", function (session) {
    localStorage.setItem(SESSION_KEY, typeof session === "string" ? session : session.session_id);
  });
  socket.on("bot_uttered", function (message) {
    var buttons = (message.quick_replies || message.buttons || []).map(function (b) {
      return { title: b.title, payload: b.payload };
    });
    remember({ from: "bot", text: message.text || "", buttons: buttons });
  });
  socket.on("connect_error", function () { status.textContent = "Får ikke kontakt … / Cannot connect …"; });
  socket.on("disconnect", function () { status.textContent = "Frakoblet / Disconnected"; });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    input.value = "";
    send(text);
  });
  document.getElementById("restart").addEventListener("click", function () {
    send("/restart", "↺");
    transcript = [];
    localStorage.removeItem(TRANSCRIPT_KEY);
    list.innerHTML = "";
  });
}());
