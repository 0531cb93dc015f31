//! Browser calls over WebRTC, in a real browser: headless Chromium opens the
//! demo page and the widget calls the demo tenant. The ordering callers answer
//! each question once the widget shows the bot has finished asking it (the
//! page's microphone is a Web Audio stream the test speaks into); the others
//! play a WAV file as the microphone. Checked: the transcript the page shows, the bot's audio
//! arriving in the browser, the stored order, origins the tenant does not
//! allow, and a browser that vanishes mid-call.

#[path = "common/browser.rs"]
mod browser;
#[path = "common/caller.rs"]
mod caller;
mod common;
#[path = "common/sipp.rs"]
mod sipp;

use std::time::{Duration, Instant};

use browser::{CLICK_CALL, Chromium, LINES, STATE, TURNS};
use common::Server;
use serde_json::{Value, json};

/// One browser call at a time: a Chromium and a server with its speech models each want a whole
/// core, and a starved fake microphone stutters (which the recogniser then mishears).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner())
}

fn calls(server: &Server, key: &str, tenant: &str) -> Vec<Value> {
    server.get(key, &format!("/v1/tenants/{tenant}/calls")).body["calls"].as_array().cloned().unwrap_or_default()
}

/// The WAV the fake microphone plays: silence, then `turns` of speech.
fn microphone(dir: &std::path::Path, name: &str, lead: f32, gap: f32) -> std::path::PathBuf {
    let path = dir.join(name);
    caller::spoken(&caller::ORDER_TURNS_NO_CALLER_ID, 48_000, lead, gap).write_wav(&path).unwrap();
    path
}

/// Open `url`, press the widget's call button, and wait until the call is up: the page and the call id.
fn call_from(url: &str, wav: &std::path::Path) -> (Chromium, String) {
    let mut page = Chromium::open(url, wav);
    page.press_call();
    page.wait_for(&format!("{STATE} === 'connected'"), Duration::from_secs(30));
    let call_id = page.eval("document.querySelector('[data-sbw=widget]').getAttribute('data-call-id')");
    let call_id = call_id.as_str().expect("the widget knows its call id").to_string();
    (page, call_id)
}

/// Call from `url` as `script`'s caller, who answers each question once the bot has finished
/// asking it, until the order is stored: the order, the page and the call id; or, when the call
/// ends without one (or the caller has nothing to say to what the bot asked), what the page showed.
fn order_in_conversation(
    server: &Server,
    key: &str,
    tenant: &str,
    url: &str,
    script: &caller::Script,
) -> Result<(Value, Chromium, String), String> {
    let mut page = Chromium::open_for_voice(url);
    page.install_voice();
    page.press_call();
    page.wait_for(&format!("{STATE} === 'connected'"), Duration::from_secs(30));
    let call_id = page.eval("document.querySelector('[data-sbw=widget]').getAttribute('data-call-id')");
    let call_id = call_id.as_str().expect("the widget knows its call id").to_string();
    // A bound on a conversation that goes round in circles, not a time limit.
    const MOST_ANSWERS: usize = 14;
    let (mut turns_seen, mut answers) = (0, 0);
    loop {
        // Counted before looking, so that a line that comes while we look still wakes the wait below.
        let lines = page.eval(LINES).as_u64().unwrap_or(0);
        let orders = server.get(key, &format!("/v1/tenants/{tenant}/orders")).body;
        if let Some(o) = orders["orders"].as_array().and_then(|o| o.first().cloned()) {
            return Ok((o, page, call_id));
        }
        if page.eval(STATE) == "ended" {
            let log = server.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
            return Err(format!(
                "the call ended: {:?}\nthe server's log ends:\n{}",
                page.transcript(),
                tail.join("\n")
            ));
        }
        let turns = page.caller_turns();
        if turns > turns_seen {
            turns_seen = turns;
            let lines = page.transcript();
            let bot = lines.iter().rev().find(|(who, _)| who == "bot").map(|(_, t)| t.clone()).unwrap_or_default();
            match script.answer(&bot) {
                None => return Err(format!("the caller has no answer to {bot:?}: {lines:?}")),
                Some(_) if answers >= MOST_ANSWERS => {
                    return Err(format!("{MOST_ANSWERS} answers and no order: {lines:?}"));
                }
                Some(caller::Answer::Wait) => {}
                Some(caller::Answer::Say(clip)) => {
                    answers += 1;
                    eprintln!("bot: {bot}\n  caller answers ({answers})");
                    page.say(clip);
                }
                Some(caller::Answer::Keys(keys)) => {
                    answers += 1;
                    eprintln!("bot: {bot}\n  caller types {keys} ({answers})");
                    page.press_keys(keys);
                }
            }
        }
        // The next event: a line of the transcript (the bot's confirmation comes once the order
        // is stored), the bot done speaking (a caller turn), or the end of the call.
        page.wait_for(
            &format!("{LINES} > {lines} || {TURNS} > {turns_seen} || {STATE} === 'ended'"),
            Duration::from_secs(120),
        );
    }
}

#[test]
fn a_browser_caller_orders_tea_by_voice_on_the_demo_page() {
    let _one = exclusive();
    let server = Server::start_webrtc("tiny-en");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    // The whole order, by voice, in one call, each question answered once the bot has asked it;
    // the bot reads it back and the order is stored.
    let demo = format!("{}/demo", server.base);
    let script = caller::english_order_script();
    let (order, mut page, call_id) = order_in_conversation(&server, &key, &tenant, &demo, &script)
        .unwrap_or_else(|heard| panic!("no order; {heard}"));
    assert_eq!(order["total"], 120, "order: {order}\npage: {}", page.widget_state());
    assert_eq!(order["customer_name"], "John", "{order}");
    // A browser has no caller ID: the number was asked for, and spoken.
    let phone = order["phone"].as_str().unwrap_or_default();
    assert!(phone.starts_with("09") && phone.len() == 10, "the spoken number: {order}");

    // The page showed both sides of the conversation as it went.
    let lines = page.transcript();
    let caller: Vec<&str> = lines.iter().filter(|(w, _)| w == "caller").map(|(_, t)| t.as_str()).collect();
    let bot: Vec<&str> = lines.iter().filter(|(w, _)| w == "bot").map(|(_, t)| t.as_str()).collect();
    assert!(caller.len() >= 4, "the caller's turns on the page: {lines:?}");
    assert!(caller.iter().any(|t| t.to_lowercase().contains("bubble milk tea")), "{lines:?}");
    assert!(caller.iter().any(|t| t.contains("John")), "{lines:?}");
    assert!(bot.len() >= 5, "the bot's lines on the page: {lines:?}");
    assert!(bot.iter().any(|t| t.contains("120")), "the bot reads back the total: {lines:?}");

    // The bot's voice reached the browser: Opus packets decoded with real energy.
    let audio = page.eval(
        "(async () => { const s = await window.SwitchboardWidget.pc.getStats(); let r = null; \
         s.forEach(x => { if (x.type === 'inbound-rtp' && x.kind === 'audio') r = \
         { packets: x.packetsReceived, energy: x.totalAudioEnergy, samples: x.totalSamplesReceived, codec: x.codecId }; }); \
         s.forEach(x => { if (r && x.id === r.codec) r.codec = x.mimeType; }); return r; })()",
    );
    assert!(audio["packets"].as_u64().unwrap_or(0) > 500, "bot audio packets: {audio}");
    assert!(audio["energy"].as_f64().unwrap_or(0.0) > 0.5, "bot audio energy: {audio}");
    assert_eq!(audio["codec"], "audio/opus", "{audio}");

    // Hang up from the page; the call record is complete.
    page.eval(CLICK_CALL);
    page.wait_for(&format!("{STATE} === 'ended'"), Duration::from_secs(10));
    let record = watch.ended(&server, |c| c["id"] == call_id.as_str());
    assert_eq!(record["channel"], "webrtc", "{record}");
    assert_eq!(record["caller"], "", "{record}");
    assert!(record["transcript"].to_string().contains("[browser call from http://127.0.0.1"), "{record}");
    assert_eq!(record["order_ids"][0], order["id"], "{record}");
    assert!(record["tags"].as_array().unwrap().iter().any(|t| t == "order-placed"), "{record}");
}

/// A Mandarin caller without caller ID (a recorded voice that is not the bot's) orders in short
/// answers on the demo page, and types the phone number on the keypad; Whisper base hears them
/// steered by what the flow expects. A drink misheard and confirmed by the bot is refused (「不對」)
/// and said again.
#[test]
fn a_mandarin_browser_caller_orders_in_short_answers() {
    let _one = exclusive();
    let server = Server::start_webrtc("base");
    let (tenant, key) = server.demo();
    let script = caller::mandarin_order_script(caller::MANDARIN_VOICE);
    let demo = format!("{}/demo", server.base);
    let (order, mut page, _) = order_in_conversation(&server, &key, &tenant, &demo, &script)
        .unwrap_or_else(|heard| panic!("no order; {heard}"));
    assert_eq!(order["customer_name"], "林", "{order}\npage: {}", page.widget_state());
    assert_eq!(order["total"], 120, "{order}");
    // The number was typed on the widget's keypad, a key at a time (RFC 4733 from the browser).
    assert_eq!(order["phone"], "0912345678", "{order}");
    assert_eq!(order["fulfilment"], "pickup", "{order}");
}

#[test]
fn only_allowed_origins_may_call_and_widget_keys_do_nothing_else() {
    let _one = exclusive();
    let server = Server::start_webrtc("tiny-en");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    let widget_key = server.get(&key, &format!("/v1/tenants/{tenant}/keys")).body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|k| k["public"].as_str().map(String::from))
        .expect("the demo tenant has a widget key");

    // A widget key opens nothing of the tenant API; a secret key does not start browser calls.
    assert_eq!(server.get(&widget_key, &format!("/v1/tenants/{tenant}/orders")).status, 403);
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let offer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
    let post = |k: &str, origin: &str| {
        let mut r = agent
            .post(format!("{}/v1/widget/{k}/calls", server.base))
            .header("Origin", origin)
            .header("Content-Type", "application/sdp")
            .send(offer)
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap_or_default())
    };
    assert_eq!(post(&key, &server.base).0, 401, "a secret key is not a widget key");
    let (status, body) = post(&widget_key, "https://evil.example");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("allowed_origins"), "the refusal says why: {body}");
    let (status, body) = post(&widget_key, &server.base);
    assert_eq!(status, 400, "an offer without audio: {body}");
    let mut r = agent
        .post(format!("{}/v1/widget/{widget_key}/calls", server.base))
        .header("Origin", &server.base)
        .header("Content-Type", "application/sdp")
        .send("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n\u{0}\u{1}garbage")
        .unwrap();
    assert_eq!(r.status().as_u16(), 400, "garbage SDP: {}", r.body_mut().read_to_string().unwrap_or_default());

    // A shop page on another origin embeds the widget: refused, in a real browser...
    let shop = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let shop_origin = format!("http://{}", shop.local_addr().unwrap());
    let page_html = format!(
        "<!doctype html><html lang=en><body><h1>Shop</h1><div id=w></div>\
         <script src=\"{}/widget.js\" data-key=\"{widget_key}\" data-target=w></script></body></html>",
        server.base
    );
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut stream in shop.incoming().map_while(Result::ok) {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page_html}",
                page_html.len()
            );
            let _ = stream.write_all(resp.as_bytes());
        }
    });
    let wav = microphone(&server.data_dir, "caller.wav", 30.0, 1.0);
    let mut page = Chromium::open(&format!("{shop_origin}/"), &wav);
    page.press_call();
    page.wait_for(&format!("{STATE} === 'refused'"), Duration::from_secs(20));
    assert!(calls(&server, &key, &tenant).is_empty(), "a refused origin starts no call");

    // ...until the tenant allows the origin: then the same page calls, and hangs up.
    let r = server.patch(
        &key,
        &format!("/v1/tenants/{tenant}"),
        json!({ "telephony": { "allowed_origins": [shop_origin] } }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    page.eval(CLICK_CALL);
    page.wait_for(&format!("{STATE} === 'connected'"), Duration::from_secs(30));
    page.wait_for(
        "document.querySelectorAll('[data-sbw=transcript] [data-who=bot]').length > 0",
        Duration::from_secs(30),
    );
    page.eval(CLICK_CALL);
    let record = watch.ended(&server, |_| true);
    assert_eq!(record["channel"], "webrtc", "{record}");

    // The tenant's limit on browser calls at once.
    let r = server.patch(&key, &format!("/v1/tenants/{tenant}"), json!({ "telephony": { "max_browser_calls": 0 } }));
    assert_eq!(r.status, 200, "{}", r.body);
    page.eval(CLICK_CALL);
    page.wait_for(&format!("{STATE} === 'refused'"), Duration::from_secs(20));
    let text = page.widget_state()["text"].as_str().unwrap_or_default().to_string();
    assert!(text.contains("Too many calls"), "the widget says why: {text}");
}

#[test]
fn a_browser_that_vanishes_mid_call_ends_the_call_cleanly() {
    let _one = exclusive();
    let server = Server::start_webrtc("tiny-en");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    let wav = microphone(&server.data_dir, "caller.wav", 9.0, 7.0);
    let (mut page, call_id) = call_from(&format!("{}/demo", server.base), &wav);
    // Garbage on the shared WebRTC port (not STUN, DTLS or SRTP of any call; a STUN check for a
    // call that does not exist) is dropped, and the call goes on.
    let junk = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = server.webrtc.expect("server with WebRTC");
    let mut stun = vec![0x00, 0x01, 0x00, 0x0c, 0x21, 0x12, 0xA4, 0x42];
    stun.extend_from_slice(&[9; 12]);
    stun.extend_from_slice(&[0x00, 0x06, 0x00, 0x08]);
    stun.extend_from_slice(b"nope:abc");
    for i in 0..2000u32 {
        let garbage: Vec<u8> = (0..(i % 300)).map(|j| (i.wrapping_mul(31) ^ j) as u8).collect();
        let _ = junk.send_to(if i % 10 == 0 { &stun } else { &garbage }, port);
    }
    // Mid-call: the caller has spoken a turn and the bot has answered it.
    page.wait_for(
        "document.querySelectorAll('[data-sbw=transcript] [data-who=caller]').length > 0",
        Duration::from_secs(60),
    );
    page.vanish();
    let vanished = Instant::now();

    let record = watch.ended(&server, |c| c["id"] == call_id.as_str());
    eprintln!("call closed {} ms after the browser vanished", vanished.elapsed().as_millis());
    assert_eq!(record["end_reason"], "caller-hangup", "{record}");
    // Gone mid-order, before anything was placed: abandoned.
    assert_eq!(record["outcome"], "abandoned", "{record}");
    assert!(record["order_ids"].as_array().is_some_and(|o| o.is_empty()), "{record}");
    let heard = record["transcript"].as_array().unwrap().iter().filter(|t| t["speaker"] == "caller").count();
    assert!(heard >= 1, "the turn heard before the browser vanished is in the record: {record}");
    let log = server.log();
    assert!(log.contains("browser gone"), "the server noticed: {log}");
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn the_keypad_reaches_an_agent_and_the_call_is_recorded() {
    let _one = exclusive();
    let server = Server::start_webrtc("tiny-en");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    let agent_port = sipp::free_port();
    let r = server.patch(
        &key,
        &format!("/v1/tenants/{tenant}"),
        json!({
            "agents": [{"name": "front-desk", "uri": format!("sip:front-desk@127.0.0.1:{agent_port}")}],
            "telephony": { "recording": true },
        }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let agent = sipp::sipp_peer(&server.data_dir, "agent.xml", agent_port);
    // A caller who says nothing and presses 0 on the widget's keypad (RFC 4733 from the browser).
    let wav = microphone(&server.data_dir, "caller.wav", 60.0, 1.0);
    let (mut page, call_id) = call_from(&format!("{}/demo", server.base), &wav);
    page.wait_for(
        "document.querySelectorAll('[data-sbw=transcript] [data-who=bot]').length >= 2",
        Duration::from_secs(30),
    );
    page.eval("document.querySelector('[data-sbw-key=\"0\"]').click(), true");
    page.wait_for(&format!("{STATE} === 'transferring'"), Duration::from_secs(20));
    // The agent (sipp) checks the context headers, talks two seconds and hangs up: so does the page.
    page.wait_for(&format!("{STATE} === 'ended'"), Duration::from_secs(40));
    let shown = page.widget_state()["text"].as_str().unwrap_or_default().to_string();
    assert!(shown.contains("the agent hung up"), "the widget was told why the call ended: {shown}");
    let agent = agent.wait_with_output().unwrap();
    assert!(
        agent.status.success(),
        "the agent got the call with its context: {}",
        String::from_utf8_lossy(&agent.stderr)
    );
    let record = watch.ended(&server, |c| c["id"] == call_id.as_str());
    assert_eq!(record["outcome"], "transferred", "{record}");
    assert_eq!(record["transfer"]["status"], "connected", "{record}");
    assert!(record["transcript"].to_string().contains("[DTMF 0]"), "{record}");
    assert!(record["transcript"].to_string().contains("consent prompt"), "{record}");
    // The recording is saved once the call is over.
    watch.recorded(&server, |c| c["id"] == call_id.as_str());
    let wav = server.get_bytes(&key, &format!("/v1/tenants/{tenant}/calls/{call_id}/recording"));
    assert!(wav.len() > 44 + 16_000 * 4 * 4, "a recording of the call: {} bytes", wav.len());
}
