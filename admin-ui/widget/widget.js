/*
 * Switchboard click-to-call widget.
 *
 *   <script src="https://SWITCHBOARD/widget.js" data-key="wk_..." async></script>
 *
 * Options (attributes of the script tag):
 *   data-key     the tenant's public widget key (it can only start calls)
 *   data-target  id of an element to render into (default: a floating panel)
 *   data-lang    "en" or "zh" for the labels (default: the page's language)
 *
 * The call is WebRTC: the microphone goes to Switchboard as Opus, the bot's
 * voice comes back the same way, the keypad sends RFC 4733 tones, and a data
 * channel carries the live transcript and the call's state.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var KEY = script.getAttribute("data-key") || "";
  var BASE = new URL(script.src, location.href).origin;
  var pageLang = (document.documentElement.lang || navigator.language || "en").toLowerCase();
  var LANG = (script.getAttribute("data-lang") || (pageLang.indexOf("zh") === 0 ? "zh" : "en"));
  var T = {
    en: { call: "Call", hangup: "Hang up", idle: "Ready to call", connecting: "Connecting…",
          connected: "Connected", transferring: "Transferring you to a person…", ended: "Call ended",
          refused: "Call refused", mic: "Microphone unavailable", you: "You", bot: "Bot", keypad: "Keypad",
          agent: "the agent hung up", busy: "Too many calls right now, please try again shortly",
          lost: "Connection lost", listening: "your turn" },
    zh: { call: "撥打", hangup: "掛斷", idle: "可以撥打", connecting: "連線中…", connected: "通話中",
          transferring: "正在為您轉接專人…", ended: "通話結束", refused: "無法撥打", mic: "無法使用麥克風",
          you: "您", bot: "客服", keypad: "按鍵", agent: "專人已掛斷", busy: "目前通話太多，請稍後再試",
          lost: "連線中斷", listening: "請說" }
  }[LANG === "zh" ? "zh" : "en"];

  var css = ".sbw{font:14px/1.4 system-ui,sans-serif;color:#1d2430;background:#fff;border:1px solid #d5dae3;" +
    "border-radius:12px;padding:12px;width:300px;box-shadow:0 4px 18px rgba(0,0,0,.12)}" +
    ".sbw-float{position:fixed;right:20px;bottom:20px;z-index:2147483000}" +
    ".sbw-head{display:flex;align-items:center;gap:8px}" +
    ".sbw-state{flex:1;font-weight:600}" +
    ".sbw-btn{border:0;border-radius:18px;padding:8px 16px;font-weight:600;cursor:pointer;background:#1f8f4e;color:#fff}" +
    ".sbw-btn.sbw-live{background:#c93434}" +
    ".sbw-keys{display:grid;grid-template-columns:repeat(3,1fr);gap:4px;margin-top:8px}" +
    ".sbw-keys button{padding:6px;border:1px solid #d5dae3;border-radius:6px;background:#f6f7f9;cursor:pointer}" +
    ".sbw-keys button:disabled{opacity:.4;cursor:default}" +
    ".sbw-log{margin-top:8px;max-height:220px;overflow-y:auto;border-top:1px solid #eef0f3;padding-top:6px}" +
    ".sbw-line{margin:3px 0}.sbw-line b{margin-right:4px}.sbw-caller b{color:#1f5fbf}.sbw-bot b{color:#1f8f4e}" +
    ".sbw-note{color:#8a93a3;font-style:italic}";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function mount() {
    if (!document.getElementById("sbw-style")) {
      var style = el("style");
      style.id = "sbw-style";
      style.textContent = css;
      document.head.appendChild(style);
    }
    var target = script.getAttribute("data-target");
    var host = target && document.getElementById(target);
    var root = el("div", host ? "sbw" : "sbw sbw-float");
    root.setAttribute("data-sbw", "widget");
    var head = el("div", "sbw-head");
    var state = el("div", "sbw-state", T.idle);
    state.setAttribute("data-sbw", "state");
    var button = el("button", "sbw-btn", T.call);
    button.setAttribute("data-sbw", "call");
    head.appendChild(state);
    head.appendChild(button);
    var keys = el("div", "sbw-keys");
    keys.setAttribute("aria-label", T.keypad);
    "123456789*0#".split("").forEach(function (k) {
      var b = el("button", null, k);
      b.disabled = true;
      b.setAttribute("data-sbw-key", k);
      b.addEventListener("click", function () { widget.press(k); });
      keys.appendChild(b);
    });
    var log = el("div", "sbw-log");
    log.setAttribute("data-sbw", "transcript");
    log.setAttribute("aria-live", "polite");
    var audio = el("audio");
    audio.autoplay = true;
    root.appendChild(head);
    root.appendChild(keys);
    root.appendChild(log);
    root.appendChild(audio);
    (host || document.body).appendChild(root);
    button.addEventListener("click", function () { widget.live ? widget.hangUp() : widget.call(); });

    var widget = {
      live: false, pc: null, stream: null, dtmf: null, location: null, callId: null, state: "idle",
      setState: function (s, detail) {
        this.state = s;
        root.setAttribute("data-state", s);
        state.textContent = (T[s] || s) + (detail ? " — " + detail : "");
      },
      line: function (who, text) {
        var p = el("div", "sbw-line sbw-" + who);
        p.setAttribute("data-who", who);
        p.appendChild(el("b", null, (who === "caller" ? T.you : T.bot) + ":"));
        p.appendChild(document.createTextNode(text));
        log.appendChild(p);
        log.scrollTop = log.scrollHeight;
      },
      note: function (text) {
        var p = el("div", "sbw-line sbw-note", text);
        log.appendChild(p);
      },
      setLive: function (live) {
        this.live = live;
        button.textContent = live ? T.hangup : T.call;
        button.classList.toggle("sbw-live", live);
        Array.prototype.forEach.call(keys.children, function (b) { b.disabled = !live; });
      },
      call: async function () {
        if (this.live) return;
        this.setLive(true);
        this.setState("connecting");
        root.setAttribute("data-turns", "0");
        root.removeAttribute("data-turn");
        try {
          // Echo cancellation keeps the bot from hearing itself (barge-in). Noise suppression
          // and gain control are left to the speech recogniser, which copes with noise and
          // level better than with the clipped consonants suppression leaves ("half" heard as
          // "F") or a gain pumped up during a silence ("milk" heard as "moke").
          this.stream = await navigator.mediaDevices.getUserMedia({
            audio: { echoCancellation: true, noiseSuppression: false, autoGainControl: false }
          });
        } catch (e) {
          this.setLive(false);
          this.setState("mic", e && e.name);
          return;
        }
        var pc = new RTCPeerConnection();
        this.pc = pc;
        var track = this.stream.getAudioTracks()[0];
        var sender = pc.addTransceiver(track, { direction: "sendrecv", streams: [this.stream] }).sender;
        this.dtmf = sender.dtmf;
        var channel = pc.createDataChannel("switchboard");
        var self = this;
        channel.onmessage = function (e) { self.message(e.data); };
        pc.ontrack = function (e) {
          audio.srcObject = (e.streams && e.streams[0]) || new MediaStream([e.track]);
          var p = audio.play();
          if (p && p.catch) p.catch(function () {});
        };
        pc.onconnectionstatechange = function () {
          if (pc !== self.pc) return;
          if (pc.connectionState === "failed" || pc.connectionState === "disconnected") {
            self.finish(T.lost);
          } else if (pc.connectionState === "closed") {
            self.finish();
          }
        };
        try {
          await pc.setLocalDescription(await pc.createOffer());
          // Switchboard is ICE-lite with a known address: no need to wait for our candidates.
          var resp = await fetch(BASE + "/v1/widget/" + encodeURIComponent(KEY) + "/calls", {
            method: "POST", headers: { "Content-Type": "application/sdp" }, body: pc.localDescription.sdp
          });
          if (!resp.ok) {
            var why = resp.status === 429 ? T.busy : "";
            try { why = why || (await resp.json()).error.message; } catch (e) { /* not JSON */ }
            throw new Error(why || ("HTTP " + resp.status));
          }
          this.location = BASE + resp.headers.get("Location");
          this.callId = resp.headers.get("X-Switchboard-Call-Id");
          root.setAttribute("data-call-id", this.callId || "");
          await pc.setRemoteDescription({ type: "answer", sdp: await resp.text() });
        } catch (e) {
          this.cleanup();
          this.setState("refused", e && e.message);
          return;
        }
      },
      // Whose turn it is: "caller" once the bot's words have played out, "bot" while it speaks.
      // data-turns counts the caller's turns, so a page (or a test) can wait for the next one.
      turn: function (who) {
        if (this.state !== "connected") return;
        root.setAttribute("data-turn", who);
        if (who === "caller") {
          root.setAttribute("data-turns", String(Number(root.getAttribute("data-turns") || 0) + 1));
          state.textContent = T.connected + " — " + T.listening;
        } else {
          state.textContent = T.connected;
        }
      },
      message: function (data) {
        var m;
        try { m = JSON.parse(data); } catch (e) { return; }
        if (m.type === "transcript") {
          this.line(m.who, m.text);
          if (m.who === "bot") this.turn("bot");
        }
        else if (m.type === "turn") this.turn(m.who);
        else if (m.type === "barge-in") this.note("…");
        else if (m.type === "state") {
          if (m.state === "ended") this.finish(m.by === "agent" ? T.agent : "");
          else this.setState(m.state);
        }
      },
      press: function (key) {
        if (this.dtmf && this.dtmf.canInsertDTMF) this.dtmf.insertDTMF(key, 120, 80);
        this.note(T.keypad + " " + key);
      },
      hangUp: function () {
        if (this.location) {
          fetch(this.location, { method: "DELETE", keepalive: true }).catch(function () {});
        }
        this.finish();
      },
      finish: function (detail) {
        if (!this.pc && !this.live) return;
        this.cleanup();
        this.setState("ended", detail);
      },
      cleanup: function () {
        var pc = this.pc;
        this.pc = null;
        if (pc) pc.close();
        if (this.stream) this.stream.getTracks().forEach(function (t) { t.stop(); });
        this.stream = null;
        this.location = null;
        this.setLive(false);
      }
    };
    window.addEventListener("pagehide", function () { if (widget.live) widget.hangUp(); });
    window.SwitchboardWidget = widget;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
