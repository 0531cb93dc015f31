//! A real browser for the WebRTC tests: Debian's headless Chromium, with a
//! WAV file as its microphone, driven over the Chrome DevTools Protocol.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use switchboard::speech::audio::Audio;
use tungstenite::WebSocket;
use tungstenite::stream::MaybeTlsStream;

/// JavaScript: press the widget's call (or hang-up) button.
pub const CLICK_CALL: &str = "document.querySelector('[data-sbw=call]').click(), true";
/// JavaScript: the widget's call state (`connected`, `ended`, `refused`...).
pub const STATE: &str = "document.querySelector('[data-sbw=widget]')?.getAttribute('data-state')";
/// The lines of the widget's transcript, both sides.
pub const LINES: &str = "document.querySelectorAll('[data-sbw=transcript] [data-who]').length";
/// The widget's count of the caller's turns (it goes up each time the bot has finished speaking).
pub const TURNS: &str = "Number(document.querySelector('[data-sbw=widget]')?.getAttribute('data-turns') || 0)";

pub struct Chromium {
    child: Option<Child>,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    profile: PathBuf,
    pub log: PathBuf,
}

impl Chromium {
    /// Open `url` with `microphone` (a WAV file, played once) as the capture device.
    pub fn open(url: &str, microphone: &Path) -> Chromium {
        Chromium::launch(url, Some(microphone))
    }

    /// Open `url` for a caller who speaks when spoken to: see [`Chromium::install_voice`].
    pub fn open_for_voice(url: &str) -> Chromium {
        Chromium::launch(url, None)
    }

    fn launch(url: &str, microphone: Option<&Path>) -> Chromium {
        let profile = std::env::temp_dir().join(format!(
            "switchboard-chromium-{}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
        ));
        std::fs::create_dir_all(&profile).unwrap();
        let log = profile.join("chromium.log");
        let mut child = Command::new("chromium")
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--remote-debugging-port=0",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                "--autoplay-policy=no-user-gesture-required",
                "--allow-loopback-in-peer-connection",
            ])
            .args(microphone.map(|m| format!("--use-file-for-fake-audio-capture={}%noloop", m.display())))
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(url)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chromium (scripts/setup --tests installs it)");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let log_path = log.clone();
        std::thread::spawn(move || {
            let mut file = std::fs::File::create(&log_path).ok();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(ws) = line.strip_prefix("DevTools listening on ") {
                    let _ = tx.send(ws.trim().to_string());
                }
                if let Some(f) = file.as_mut() {
                    use std::io::Write;
                    let _ = writeln!(f, "{line}");
                }
            }
        });
        let browser_ws = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
            panic!("chromium did not start:\n{}", std::fs::read_to_string(&log).unwrap_or_default())
        });
        // The page's own DevTools socket: the browser announces each target it has or opens
        // (`Target.setDiscoverTargets`); the page is the first of type `page`.
        let http = browser_ws.trim_start_matches("ws://").split('/').next().unwrap().to_string();
        let (mut browser, _) = tungstenite::connect(browser_ws.as_str()).expect("DevTools browser connection");
        if let MaybeTlsStream::Plain(s) = browser.get_ref() {
            s.set_read_timeout(Some(Duration::from_secs(30))).ok();
        }
        let discover = json!({ "id": 1, "method": "Target.setDiscoverTargets", "params": { "discover": true } });
        browser.send(tungstenite::Message::text(discover.to_string())).expect("DevTools send");
        let page_id = loop {
            let m = browser.read().unwrap_or_else(|e| panic!("chromium announced no page: {e}"));
            let tungstenite::Message::Text(text) = m else { continue };
            let v: Value = serde_json::from_str(text.as_str()).expect("DevTools JSON");
            let target = &v["params"]["targetInfo"];
            if v["method"] == "Target.targetCreated" && target["type"] == "page" {
                break target["targetId"].as_str().expect("targetId").to_string();
            }
        };
        drop(browser);
        let page_ws = format!("ws://{http}/devtools/page/{page_id}");
        let (ws, _) = tungstenite::connect(page_ws.as_str()).expect("DevTools connection");
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            // Longer than any wait the page is asked for (see `wait_for`).
            s.set_read_timeout(Some(Duration::from_secs(300))).ok();
        }
        Chromium { child: Some(child), ws, next_id: 0, profile, log }
    }

    /// Wait for the widget to load, then press its call button.
    pub fn press_call(&mut self) {
        // The widget script defines itself before it draws: wait for the button.
        self.wait_for("!!document.querySelector('[data-sbw=call]')", Duration::from_secs(60));
        self.eval(CLICK_CALL);
    }

    /// Once the widget has loaded, give the page a microphone the test speaks through: a Web Audio
    /// stream that is silent until [`Chromium::say`] plays a clip into it. A silent source keeps
    /// it running between clips, as a real microphone does (without one Chromium sends no packets,
    /// and so no keypad tones, while nothing plays).
    pub fn install_voice(&mut self) {
        self.wait_for("!!window.SwitchboardWidget", Duration::from_secs(60));
        self.eval(
            "(() => { const ctx = new AudioContext({ sampleRate: 48000 }); const out = ctx.createMediaStreamDestination(); \
             const hush = ctx.createConstantSource(); hush.offset.value = 0; hush.connect(out); hush.start(); \
             navigator.mediaDevices.getUserMedia = async () => { await ctx.resume(); return out.stream; }; \
             window.__caller = { say: async (rate, pcm) => { await ctx.resume(); \
               const buf = ctx.createBuffer(1, pcm.length, rate); \
               buf.copyToChannel(Float32Array.from(pcm, v => v / 32768), 0); \
               const src = ctx.createBufferSource(); src.buffer = buf; src.connect(out); \
               await new Promise(r => { src.onended = r; src.start(); }); return buf.duration; } }; \
             return true; })()",
        );
    }

    /// Speak `audio` into the call (see [`Chromium::install_voice`]); returns once it has played.
    /// The clip is resampled here to the page's 48 kHz: Web Audio would resample it linearly, and
    /// the recogniser mishears the result.
    pub fn say(&mut self, audio: &Audio) {
        let pcm: Vec<i16> =
            audio.resampled(48_000).samples.iter().map(|s| (s.clamp(-1.0, 1.0) * 32767.0) as i16).collect();
        let played = self.eval(&format!("window.__caller.say(48000, {})", serde_json::to_string(&pcm).unwrap()));
        assert!(played.as_f64().is_some_and(|d| d > 0.0), "the clip did not play: {played}");
    }

    /// Press `keys` on the widget's keypad, each once the last has been sent.
    pub fn press_keys(&mut self, keys: &str) {
        let can = self.eval("!!(window.SwitchboardWidget.dtmf && window.SwitchboardWidget.dtmf.canInsertDTMF)");
        assert_eq!(can, true, "the widget cannot send keys");
        for key in keys.chars() {
            self.eval(&format!("document.querySelector('[data-sbw-key=\"{key}\"]').click(), true"));
            self.wait_for("window.SwitchboardWidget.dtmf.toneBuffer === ''", Duration::from_secs(10));
        }
    }

    /// The widget's count of the caller's turns: it goes up each time the bot has finished speaking.
    pub fn caller_turns(&mut self) -> u64 {
        self.eval(TURNS)
            .as_u64()
            .unwrap_or(0)
    }

    /// Send a DevTools command to the page and return its result; a command the page refuses
    /// fails the test.
    pub fn command(&mut self, method: &str, params: Value) -> Value {
        let reply = self.send_command(method, params);
        if let Some(e) = reply.get("error") {
            panic!("{method} failed: {e}");
        }
        reply["result"].clone()
    }

    /// Send a DevTools command and return the whole reply (`result` or `error`).
    fn send_command(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({ "id": id, "method": method, "params": params });
        self.ws.send(tungstenite::Message::text(msg.to_string())).expect("DevTools send");
        loop {
            let m = self.ws.read().expect("DevTools read");
            let tungstenite::Message::Text(text) = m else { continue };
            let v: Value = serde_json::from_str(text.as_str()).expect("DevTools JSON");
            if v["id"] == id {
                return v;
            }
        }
    }

    /// Evaluate JavaScript in the page (promises awaited) and return its value: `null` when
    /// the page navigated away while it ran (its document, and the evaluation, are gone).
    pub fn eval(&mut self, expression: &str) -> Value {
        let reply = self.send_command(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        let result = &reply["result"];
        if let Some(e) = result.get("exceptionDetails") {
            panic!("{expression} threw: {e}");
        }
        result["result"]["value"].clone()
    }

    /// Type `value` into the field `selector`, as a person would (the page hears the input event).
    pub fn fill(&mut self, selector: &str, value: &str) {
        let js = |s: &str| serde_json::to_string(s).unwrap();
        self.eval(&format!(
            "(() => {{ const e = document.querySelector({sel}); e.value = {v}; \
             e.dispatchEvent(new Event('input', {{ bubbles: true }})); e.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()",
            sel = js(selector),
            v = js(value)
        ));
    }

    /// Click the element `selector`.
    pub fn click(&mut self, selector: &str) {
        let found = self.eval(&format!(
            "(() => {{ const e = document.querySelector({}); if (!e) return false; e.click(); return true; }})()",
            serde_json::to_string(selector).unwrap()
        ));
        assert_eq!(found, true, "nothing to click at {selector}");
    }

    /// Wait until the audio received on the peer connection `pc` (a JavaScript expression) carries
    /// more than `energy` (WebRTC's `totalAudioEnergy`, the sum of squared levels × seconds): the
    /// stats are read as they change, every 200 ms; `timeout` only bounds a wait that never ends.
    pub fn wait_for_audio(&mut self, pc: &str, energy: f64, timeout: Duration) -> f64 {
        let script = format!(
            "new Promise(resolve => {{ \
               const started = Date.now(); \
               const poll = async () => {{ let e = 0; \
                 try {{ (await ({pc}).getStats()).forEach(x => {{ if (x.type === 'inbound-rtp' && x.kind === 'audio') e += x.totalAudioEnergy || 0; }}); }} catch (_) {{}} \
                 if (e > {energy}) return resolve(e); \
                 if (Date.now() - started > {ms}) return resolve(-1); \
                 setTimeout(poll, 200); }}; \
               poll(); }})",
            ms = timeout.as_millis()
        );
        let got = self.eval(&script).as_f64().unwrap_or(-1.0);
        assert!(got > energy, "no audio ({got}) arrived on {pc}");
        got
    }

    /// Save what the page shows as a PNG.
    pub fn screenshot(&mut self, path: &Path) {
        use base64::Engine;
        let shot = self.command("Page.captureScreenshot", json!({ "format": "png", "captureBeyondViewport": true }));
        let png = base64::engine::general_purpose::STANDARD.decode(shot["data"].as_str().expect("screenshot data")).expect("base64");
        std::fs::write(path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    /// Show the page on a screen of this size (`mobile`: a phone's).
    pub fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        let scale = if mobile { 2 } else { 1 };
        self.command(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile }),
        );
    }

    /// Choose `file` in the page's file input `selector`.
    pub fn choose_file(&mut self, selector: &str, file: &Path) {
        let doc = self.command("DOM.getDocument", json!({}));
        let root = doc["root"]["nodeId"].clone();
        let node = self.command("DOM.querySelector", json!({ "nodeId": root, "selector": selector }));
        self.command("DOM.setFileInputFiles", json!({ "nodeId": node["nodeId"], "files": [file.display().to_string()] }));
    }

    /// Wait until `expression` is truthy in the page; its value. The page re-checks it on each
    /// change of the document (a `MutationObserver`: the widget shows its state, turns and
    /// transcript in the DOM), on each keypad tone sent, and once the page has loaded, so the
    /// test wakes on the event itself; `timeout` only bounds a wait that never ends. The value
    /// must not be `null` (that is what a wait cut short by a navigation returns).
    pub fn wait_for(&mut self, expression: &str, timeout: Duration) -> Value {
        let script = format!(
            "new Promise(resolve => {{ \
               const test = () => {{ try {{ return ({expression}); }} catch (e) {{ return undefined; }} }}; \
               let observer, timer, dtmf; \
               const check = () => {{ const v = test(); if (!v) return; \
                 observer.disconnect(); clearTimeout(timer); window.removeEventListener('load', check); \
                 if (dtmf) dtmf.removeEventListener('tonechange', check); resolve(v); }}; \
               observer = new MutationObserver(check); \
               observer.observe(document, {{ subtree: true, childList: true, attributes: true, characterData: true }}); \
               dtmf = window.SwitchboardWidget && window.SwitchboardWidget.dtmf; \
               if (dtmf && dtmf.addEventListener) dtmf.addEventListener('tonechange', check); \
               window.addEventListener('load', check); \
               timer = setTimeout(() => {{ observer.disconnect(); resolve({{ timedOut: true }}); }}, {}); \
               check(); }})",
            timeout.as_millis()
        );
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let v = self.eval(&script);
            assert!(v.get("timedOut").is_none(), "timed out waiting for {expression}; page state: {}", self.widget_state());
            if !v.is_null() {
                return v;
            }
            // No value: the document the wait watched was replaced (the page navigated from its
            // first blank document), so watch the new one.
            assert!(std::time::Instant::now() < deadline, "timed out waiting for {expression}");
        }
    }

    /// The widget's state and transcript, for failure messages.
    pub fn widget_state(&mut self) -> Value {
        self.eval(
            "(() => { const w = document.querySelector('[data-sbw=widget]'); return w ? \
             { state: w.getAttribute('data-state'), text: w.innerText } : null })()",
        )
    }

    /// The lines of the widget's transcript, as (who, text).
    pub fn transcript(&mut self) -> Vec<(String, String)> {
        let v = self.eval(
            "Array.from(document.querySelectorAll('[data-sbw=transcript] [data-who]')).map(e => \
             [e.getAttribute('data-who'), e.childNodes[1] ? e.childNodes[1].textContent : ''])",
        );
        v.as_array()
            .map(|l| {
                l.iter()
                    .map(|p| {
                        (p[0].as_str().unwrap_or_default().to_string(), p[1].as_str().unwrap_or_default().to_string())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Kill the browser without warning, as a crash or a pulled cable would.
    pub fn vanish(&mut self) {
        if let Some(mut c) = self.child.take() {
            // The browser process: its renderer, GPU and network processes follow it.
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        self.vanish();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
