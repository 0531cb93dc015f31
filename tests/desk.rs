//! Human agents at the agent desk, end to end: a browser caller asks for a person (the keypad's
//! 0), waits in the tenant's queue hearing the hold chime and its position, the first agent's
//! desk rings out, the second agent accepts in a real browser and sees the call's context, audio
//! flows both ways over WebRTC (energy measured on both legs) and the caller's words are
//! transcribed live; the agent holds the caller, then transfers them to the first agent, who
//! takes the call, hangs up and writes it up with a callback task; everything lands on the call
//! record and in the figures. An agent of another
//! tenant sees none of it. A SIP caller is put through to an agent, whose voice goes to the
//! phone and comes back; a phone (baresip) that asks for a person by voice hears the hold chime
//! and its position in English, hangs up in the queue and counts as abandoned, and a call
//! outside the queue's hours gets the callback offer.
//!
//! Screenshots of the desk land in `$CARGO_TARGET_DIR/tmp/desk-screenshots/`.

#[path = "common/browser.rs"]
mod browser;
#[path = "common/caller.rs"]
mod caller;
mod common;
#[path = "common/sipp.rs"]
mod sipp;
#[path = "common/baresip.rs"]
mod baresip;

use std::path::PathBuf;
use std::time::Duration;

use browser::{Chromium, STATE};
use common::Server;
use serde_json::{Value, json};
use switchboard::speech::asr::{Whisper, WhisperSize};

const WAIT: Duration = Duration::from_secs(90);
const PASSWORD: &str = "desk password 1";

/// One test at a time: browsers and the speech models each want a core.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner())
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("desk-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

/// The demo tenant's transfers go to its `support` queue.
fn with_queue(server: &Server, key: &str, tenant: &str, queue: Value) {
    let mut q = json!({ "id": "support", "name": "客服", "ring_secs": 6, "announce_every_secs": 5, "max_wait_secs": 600, "whisper": true });
    q.as_object_mut().unwrap().extend(queue.as_object().unwrap().clone());
    let r = server.patch(
        key,
        &format!("/v1/tenants/{tenant}"),
        json!({ "agents": [{ "name": "客服", "uri": "queue:support" }], "queues": [q] }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

fn desk_user(server: &Server, key: &str, tenant: &str, name: &str, login: &str) -> Value {
    let r = server.post(key, &format!("/v1/tenants/{tenant}/desk/users"), json!({ "name": name, "login": login, "password": PASSWORD }));
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

/// A desk in its own browser (the fake microphone beeps: the agent's voice), signed in and
/// available when `available`.
fn open_desk(server: &Server, login: &str, available: bool) -> Chromium {
    let mut page = Chromium::open_for_voice(&format!("{}/console#/desk", server.base));
    page.wait_for("!!document.querySelector('.signin input[name=login]')", WAIT);
    page.screenshot(&screenshots().join("00-agent-sign-in.png"));
    page.fill(".signin input[name=login]", login);
    page.fill(".signin input[name=password]", PASSWORD);
    page.click(".signin button[type=submit]");
    page.wait_for("document.querySelector('.desk .deskbar .pill.live') !== null", WAIT);
    if available {
        page.fill(".desk select[name=state]", "available");
        page.wait_for("document.querySelector('.desk')?.getAttribute('data-state') === 'available'", WAIT);
    }
    page
}

/// A browser caller on the demo page who speaks when told to.
fn browser_caller(server: &Server) -> (Chromium, String) {
    let mut page = Chromium::open_for_voice(&format!("{}/demo", server.base));
    page.install_voice();
    page.press_call();
    page.wait_for(&format!("{STATE} === 'connected'"), WAIT);
    let call_id = page.eval("document.querySelector('[data-sbw=widget]').getAttribute('data-call-id')");
    (page, call_id.as_str().expect("the widget knows its call id").to_string())
}

/// The audio energy received so far on the peer connection `pc`.
fn energy(page: &mut Chromium, pc: &str) -> f64 {
    page.eval(&format!(
        "(async () => {{ let e = 0; (await ({pc}).getStats()).forEach(x => {{ if (x.type === 'inbound-rtp' && x.kind === 'audio') e += x.totalAudioEnergy || 0; }}); return e; }})()"
    ))
    .as_f64()
    .unwrap_or(0.0)
}

#[test]
fn a_browser_caller_waits_in_the_queue_and_the_second_agent_takes_the_call() {
    let _one = exclusive();
    let server = Server::start_webrtc("tiny-en");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    with_queue(&server, &key, &tenant, json!({}));
    let first = desk_user(&server, &key, &tenant, "林小美", "mei@tea.example");
    let second = desk_user(&server, &key, &tenant, "Ken Wu", "ken@tea.example");
    // Another tenant with an agent of its own, available all along.
    let (other, other_key) = server.create_tenant("Other Shop", json!({ "numbers": ["+886277770001"] }));
    let outsider_user = desk_user(&server, &other_key, &other, "Outsider", "out@other.example");

    // The first agent has been idle longest, so their desk rings first.
    let mut mei = open_desk(&server, "mei@tea.example", true);
    let mut ken = open_desk(&server, "ken@tea.example", true);
    let mut outsider = open_desk(&server, "out@other.example", true);

    // The caller asks for a person (the keypad's 0) once the bot has greeted them.
    let (mut caller, call_id) = browser_caller(&server);
    caller.wait_for("document.querySelectorAll('[data-sbw=transcript] [data-who=bot]').length >= 1", WAIT);
    caller.press_keys("0");
    caller.wait_for(&format!("{STATE} === 'transferring'"), WAIT);

    // Mei's desk rings with the call's context, and she lets it ring out.
    mei.wait_for(&format!("!!document.querySelector('.ringing[data-offer=\"{call_id}\"]')"), WAIT);
    mei.screenshot(&screenshots().join("01-ringing.png"));
    // While it waits, the queue knows the caller.
    let board = server.get(&key, &format!("/v1/tenants/{tenant}/desk")).body;
    assert_eq!(board["waiting"][0]["call_id"], json!(call_id), "{board:#}");
    // The caller hears the hold chime and their position, spoken, in the meantime.
    let heard = energy(&mut caller, "window.SwitchboardWidget.pc");
    caller.wait_for_audio("window.SwitchboardWidget.pc", heard + 0.005, WAIT);

    // Then Ken's desk rings, and he takes it.
    ken.wait_for(&format!("!!document.querySelector('.ringing[data-offer=\"{call_id}\"]')"), WAIT);
    mei.wait_for("!document.querySelector('.ringing')", WAIT);
    let reason = ken.eval("document.querySelector('.ringing [data-pop=reason]').textContent");
    assert_eq!(reason, json!("caller-request"));
    let transcript = ken.eval("document.querySelector('.ringing [data-pop=transcript]').textContent");
    assert!(transcript.as_str().unwrap().contains("DTMF 0"), "the transcript so far: {transcript}");
    ken.click(".ringing button[name=accept]");
    ken.wait_for("document.querySelector('.oncall')?.getAttribute('data-connected') === 'true'", WAIT);
    let board = server.get(&key, &format!("/v1/tenants/{tenant}/desk")).body;
    let ken_now = board["agents"].as_array().unwrap().iter().find(|a| a["id"] == second["id"]).cloned();
    assert_eq!(ken_now.map(|a| a["state"].clone()), Some(json!("on_call")), "{board:#}");
    ken.screenshot(&screenshots().join("02-on-call.png"));

    // Audio both ways: the agent's voice reaches the caller, the caller's reaches the agent.
    let before = energy(&mut caller, "window.SwitchboardWidget.pc");
    caller.say(&caller::spoken(&["Hello, I would like to change my order, please."], 48_000, 0.2, 0.3));
    ken.wait_for_audio("window.__desk.pc", 0.01, WAIT);
    caller.wait_for_audio("window.SwitchboardWidget.pc", before + 0.01, WAIT);
    // The caller's side is transcribed as it is said, and the desk shows it.
    ken.wait_for("[...document.querySelectorAll('.oncall li[data-live=true]')].some(l => /order/i.test(l.textContent))", WAIT);

    // Hold: the caller hears the hold chime, and then is taken back.
    ken.click(".oncall button[name=hold]");
    ken.wait_for("!!document.querySelector('.oncall [data-held=true]')", WAIT);
    let before = energy(&mut caller, "window.SwitchboardWidget.pc");
    caller.wait_for_audio("window.SwitchboardWidget.pc", before + 0.0005, WAIT);
    ken.click(".oncall button[name=hold]");
    ken.wait_for("!document.querySelector('.oncall [data-held=true]')", WAIT);

    // Ken transfers the caller to Mei: only her desk rings; he writes his part up meanwhile.
    let mei_id = first["id"].as_str().unwrap();
    ken.wait_for(&format!("!!document.querySelector('select[name=transfer_to] option[value=\"agent:{mei_id}\"]')"), WAIT);
    ken.fill("select[name=transfer_to]", &format!("agent:{mei_id}"));
    ken.click("button[name=transfer]");
    ken.wait_for("!!document.querySelector('form.wrapup')", WAIT);
    ken.fill("form.wrapup input[name=outcome]", "transferred");
    ken.fill("form.wrapup textarea[name=notes]", "想改訂單，轉給美玲");
    ken.click("form.wrapup button[type=submit]");
    ken.wait_for("document.querySelector('.desk')?.getAttribute('data-state') === 'available'", WAIT);
    mei.wait_for(&format!("!!document.querySelector('.ringing[data-offer=\"{call_id}\"]')"), WAIT);
    mei.click(".ringing button[name=accept]");
    mei.wait_for("document.querySelector('.oncall')?.getAttribute('data-connected') === 'true'", WAIT);
    let heard = energy(&mut mei, "window.__desk.pc");
    caller.say(&caller::spoken(&["Large, with less ice."], 48_000, 0.2, 0.3));
    mei.wait_for_audio("window.__desk.pc", heard + 0.005, WAIT);

    // Mei takes the caller's order at the desk: an empty one is refused with the server's
    // reason; two large black teas are priced from the catalogue like the bot's orders.
    mei.eval("document.querySelector('details.orderform').open = true, true");
    mei.wait_for("!!document.querySelector('select[name=\"item.0.product\"] option[value=black-tea]')", WAIT);
    mei.click("button[name=place_order]");
    mei.wait_for("!!document.querySelector('details.orderform .error')", WAIT);
    mei.fill("select[name=\"item.0.product\"]", "black-tea");
    mei.wait_for("!!document.querySelector('select[name=\"item.0.size\"] option[value=L]')", WAIT);
    mei.fill("select[name=\"item.0.size\"]", "L");
    mei.fill("input[name=\"item.0.quantity\"]", "2");
    mei.fill("input[name=order_name]", "陳小姐");
    mei.fill("input[name=order_phone]", "0912345678");
    mei.click("button[name=place_order]");
    let order_id = mei.wait_for("document.querySelector('details.orderform [data-order]')?.getAttribute('data-order')", WAIT);
    let order = server.get(&key, &format!("/v1/tenants/{tenant}/orders/{}", order_id.as_str().unwrap())).body;
    assert_eq!((order["total"].as_u64(), order["call_id"].as_str()), (Some(70), Some(call_id.as_str())), "{order:#}");
    mei.screenshot(&screenshots().join("03-order.png"));

    // Mei hangs up; the caller's page is told; her desk asks for the wrap-up.
    mei.click(".oncall button[name=hangup]");
    caller.wait_for(&format!("{STATE} === 'ended'"), WAIT);
    mei.wait_for("!!document.querySelector('form.wrapup')", WAIT);
    mei.fill("form.wrapup input[name=outcome]", "order-corrected");
    mei.fill("form.wrapup textarea[name=notes]", "改成大杯，少冰");
    mei.click("form.wrapup input[name=callback]");
    mei.wait_for("!!document.querySelector('form.wrapup input[name=due]')", WAIT);
    mei.fill("form.wrapup input[name=due]", "2030-01-02T10:30");
    mei.fill("form.wrapup input[name=task_phone]", "0912345678");
    mei.fill("form.wrapup input[name=task_note]", "確認取餐時間");
    mei.screenshot(&screenshots().join("03-wrap-up.png"));
    mei.click("form.wrapup button[type=submit]");
    mei.wait_for("document.querySelector('.desk')?.getAttribute('data-state') === 'available'", WAIT);
    mei.wait_for("document.querySelectorAll('table.tasks tr[data-task]').length === 1", WAIT);
    mei.screenshot(&screenshots().join("04-follow-ups.png"));

    // The call record has the queue, who rang, who answered, the transfer, and the wrap-ups.
    let record = watch.ended(&server, |c| c["id"] == call_id.as_str());
    assert_eq!(record["outcome"], "transferred", "{record:#}");
    let record = server.get(&key, &format!("/v1/tenants/{tenant}/calls/{call_id}")).body;
    let agent = &record["agent"];
    assert_eq!(agent["queue"], "support", "{record:#}");
    assert_eq!(agent["answered"], true);
    assert_eq!(agent["rang"], json!([first["id"]]), "the first desk rang out: {agent:#}");
    assert_eq!(agent["transferred_by"], json!(["Ken Wu"]), "{agent:#}");
    assert_eq!(agent["agent_id"], first["id"], "Mei had the call last: {agent:#}");
    assert_eq!(agent["outcome"], "order-corrected");
    assert_eq!(agent["notes"], "Ken Wu: 想改訂單，轉給美玲\n林小美: 改成大杯，少冰", "{agent:#}");
    assert!(record["tags"].as_array().unwrap().contains(&json!("agent:order-corrected")), "{record:#}");
    let transcript = record["transcript"].to_string();
    assert!(transcript.contains("[with Ken Wu at the desk]") && transcript.contains("[with 林小美 at the desk]"), "{transcript}");
    assert!(transcript.to_lowercase().contains("order"), "the caller's words to Ken: {transcript}");
    let tasks = ken.eval("fetch('/v1/desk/tasks').then(r => r.json())");
    assert_eq!(tasks["tasks"][0]["call_id"], json!(call_id), "{tasks:#}");
    assert_eq!(tasks["tasks"][0]["note"], "確認取餐時間");
    assert_eq!(record["order_ids"], json!([order_id]), "the desk's order is the call's: {record:#}");

    // Mei calls the customer back from the follow-up: the number through the tenant's trunk
    // (a sipp phone that sends back what it hears), her voice there and back.
    let trunk = sipp::free_port();
    let r = server.patch(&key, &format!("/v1/tenants/{tenant}"), json!({ "telephony": { "outbound_proxy": format!("sip:127.0.0.1:{trunk}") } }));
    assert_eq!(r.status, 200, "{}", r.body);
    let phone = sipp::sipp_peer_with(&server.data_dir, "callee_waits.xml", trunk, &["-rtp_echo"]);
    mei.click("table.tasks button[name=call_back]");
    mei.wait_for("document.querySelector('.oncall')?.getAttribute('data-connected') === 'true'", WAIT);
    mei.wait_for_audio("window.__desk.pc", 0.005, WAIT);
    let callback_id = mei.eval("document.querySelector('.oncall').getAttribute('data-call')");
    mei.click(".oncall button[name=hangup]");
    mei.wait_for("!!document.querySelector('form.wrapup')", WAIT);
    mei.fill("form.wrapup input[name=outcome]", "resolved");
    mei.click("form.wrapup button[type=submit]");
    mei.wait_for("document.querySelector('table.tasks tr[data-task]')?.getAttribute('data-done') === 'true'", WAIT);
    let phone = phone.wait_with_output().unwrap();
    assert!(phone.status.success(), "the customer's phone: {}", String::from_utf8_lossy(&phone.stderr));
    let callback = server.get(&key, &format!("/v1/tenants/{tenant}/calls/{}", callback_id.as_str().unwrap())).body;
    assert_eq!((callback["direction"].as_str(), callback["callee"].as_str()), (Some("outbound"), Some("0912345678")), "{callback:#}");
    assert_eq!(callback["agent"]["outcome"], "resolved", "{callback:#}");

    // The dashboard's figures count it: one queued call, answered after one ring-out.
    let stats = server.get(&key, &format!("/v1/tenants/{tenant}/stats?bucket=hour")).body;
    let totals = &stats["totals"];
    assert_eq!(totals["queued"], 1, "{totals:#}");
    assert_eq!(totals["queue_abandonment_rate"], 0.0, "{totals:#}");
    assert!(totals["average_speed_of_answer_s"].as_f64().is_some_and(|s| s > 0.0), "{totals:#}");
    assert!(totals["agent_handle_time_s"].as_f64().is_some_and(|s| s > 0.0), "{totals:#}");
    // Mei's callback counts for her, not for the queue.
    assert_eq!(totals["calls_per_agent"], json!([["林小美", 2], ["Ken Wu", 1]]), "{totals:#}");
    assert_eq!(totals["agent_calls"], 2, "{totals:#}");
    assert_eq!(totals["transfers_per_agent"], json!([["Ken Wu", 1]]), "{totals:#}");

    // The other tenant's agent was never offered the call and cannot read this tenant.
    assert_eq!(outsider.eval("document.querySelectorAll('.ringing').length"), json!(0));
    let status = outsider.eval(&format!("fetch('/v1/tenants/{tenant}/calls/{call_id}').then(r => r.status)"));
    assert_eq!(status, json!(403), "a desk user reaches the desk only");
    let theirs = outsider.eval("fetch('/v1/desk/tasks').then(r => r.json())");
    assert_eq!(theirs["tasks"], json!([]), "{theirs:#}");
    // Nor can an agent touch a call that is not theirs, even with their session's own CSRF
    // token (the URL does not decide); without the token nothing changes at all.
    let touch = |page: &mut Chromium, what: &str, token: &str| {
        page.eval(&format!(
            "(async () => {{ const s = await (await fetch('/v1/console/session')).json(); \
               const token = {token}; \
               return (await fetch('/v1/desk/calls/{call_id}/{what}', {{ method: 'POST', \
                 headers: {{ 'X-CSRF-Token': token, 'Content-Type': 'application/json' }}, body: '{{\"on\":true}}' }})).status; }})()"
        ))
    };
    assert_eq!(touch(&mut outsider, "hold", "s.csrf_token"), json!(404), "another tenant's call is not theirs");
    assert_eq!(touch(&mut outsider, "hangup", "s.csrf_token"), json!(404));
    assert_eq!(touch(&mut outsider, "hangup", "'x'"), json!(403), "no CSRF token, no change");

    // A deleted desk user is signed out at once.
    let r = server.delete(&other_key, &format!("/v1/tenants/{other}/desk/users/{}", outsider_user["id"].as_str().unwrap()));
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(outsider.eval("fetch('/v1/console/session').then(r => r.status)"), json!(401));
    // A password cannot be guessed at the server's speed: five wrong ones lock the login for
    // a while, even against the right one.
    let sign_in = |page: &mut Chromium, password: &str| {
        page.eval(&format!(
            "fetch('/v1/console/session', {{ method: 'POST', headers: {{ 'Content-Type': 'application/json' }},                body: JSON.stringify({{ login: 'ken@tea.example', password: '{password}' }}) }}).then(r => r.status)"
        ))
    };
    for _ in 0..5 {
        assert_eq!(sign_in(&mut outsider, "guess"), json!(401));
    }
    assert_eq!(sign_in(&mut outsider, PASSWORD), json!(429), "the login is locked");

    // The tenant's dashboard shows the queue and agent figures.
    let mut console = Chromium::open_for_voice(&format!("{}/console", server.base));
    console.wait_for("!!document.querySelector('.signin input[name=key]')", WAIT);
    console.fill(".signin input[name=key]", &key);
    console.click(".signin button[type=submit]");
    console.wait_for("document.querySelector('[data-page=dashboard] [data-figure=queued] .value')?.textContent === '1'", WAIT);
    console.screenshot(&screenshots().join("06-dashboard-queues.png"));
}

#[test]
fn a_sip_caller_asks_for_a_person_hears_the_queue_and_hangs_up_as_abandoned_and_closed_hours_offer_a_callback() {
    let _one = exclusive();
    let server = Server::start_webrtc("tiny-en");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    // Nobody is at the desk. A phone (baresip) asks for a person in English, waits 25 s
    // listening, then hangs up; baresip keeps what it heard.
    with_queue(&server, &key, &tenant, json!({}));
    let ask = caller::spoken(&["Hello. Can I talk to a person, please?"], 8000, 4.0, 0.0);
    let phone = baresip::call(&server, &ask, "+886955333666", 25.0, true);
    let call = watch.ended(&server, |c| c["channel"] == "sip" && c["caller"] == "+886955333666");
    let record = server.get(&key, &format!("/v1/tenants/{tenant}/calls/{}", call["id"].as_str().unwrap())).body;
    assert_eq!(record["agent"]["abandoned"], true, "{record:#}");
    assert_eq!(record["agent"]["answered"], false, "{record:#}");
    assert_eq!(record["outcome"], "abandoned", "{record:#}");
    let totals = server.get(&key, &format!("/v1/tenants/{tenant}/stats?bucket=hour")).body["totals"].clone();
    assert_eq!((totals["queued"].as_i64(), totals["queue_abandonment_rate"].as_f64()), (Some(1), Some(1.0)), "{totals:#}");

    // What the phone heard while queued: the hold chime, never a long silence, and its
    // position, spoken in the caller's language (English, as the bot spoke to them).
    let heard = phone.heard();
    let answered = record["started_at_ms"].as_u64().unwrap();
    let queued = record["agent"]["queued_at_ms"].as_u64().unwrap();
    let from = ((queued.saturating_sub(answered)) as f64 / 1000.0 * heard.rate as f64) as usize;
    let hold = &heard.samples[from.min(heard.samples.len())..];
    assert!(hold.len() > heard.rate as usize * 10, "the phone heard {:.1} s of the queue", hold.len() as f64 / heard.rate as f64);
    let frame = heard.rate as usize / 10;
    let quiet: Vec<bool> = hold
        .chunks(frame)
        .map(|c| (c.iter().map(|x| x * x).sum::<f32>() / c.len() as f32).sqrt() < 0.002)
        .collect();
    // The end is the phone hanging up; a chime comes every three seconds.
    let longest = quiet[..quiet.len().saturating_sub(10)].split(|q| !q).map(|run| run.len()).max().unwrap_or(0);
    assert!(longest <= 30, "the queued phone heard {:.1} s of silence", longest as f64 / 10.0);
    let whisper = Whisper::load(WhisperSize::TinyEn).expect("tiny.en (scripts/setup fetches it)");
    let hold16 = switchboard::speech::audio::Audio { rate: heard.rate, samples: hold.to_vec() }.resampled(16_000);
    let said: Vec<String> = hold16
        .samples
        .chunks(16_000 * 8)
        .map(|c| whisper.transcribe(c, Some("en")).map(|t| t.text.to_lowercase()).unwrap_or_default())
        .collect();
    eprintln!("queued phone: longest quiet {:.1} s; heard {said:?}", longest as f64 / 10.0);
    assert!(
        said.iter().any(|t| t.contains("in line") && (t.contains("number 1") || t.contains("number one"))),
        "the phone should hear its position; it heard {said:?}"
    );

    // Outside the queue's hours the flow is told nobody is available: the callback offer.
    // Open every day but today (the demo tenant's clock is UTC+8).
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let today = ((now_ms / 60_000 + 480) / 1440 + 3) % 7 + 1;
    let days: Vec<u64> = (1..=7).filter(|d| *d != today).collect();
    let closed = json!([{ "days": days, "open": "00:00", "close": "24:00" }]);
    with_queue(&server, &key, &tenant, json!({ "hours": closed }));
    let out = sipp::sipp(&server, "caller_dtmf.xml", sipp::DEMO_NUMBER, &[]);
    sipp::assert_passed(&out, "the caller pressed 0 outside the hours", &server);
    let call = watch.ended(&server, |c| c["channel"] == "sip" && c["ended_at_ms"].is_u64() && c["id"] != record["id"]);
    assert!(call["tags"].as_array().unwrap().iter().any(|t| t == "callback-requested"), "{call:#}");
    assert_eq!(call["transfer"]["status"], "busy", "{call:#}");
    assert!(call["transcript"].to_string().contains("回電"), "{}", call["transcript"]);
}

#[test]
fn a_sip_caller_is_put_through_to_an_agent_with_audio_both_ways() {
    let _one = exclusive();
    let server = Server::start_webrtc("tiny-en");
    let (tenant, key) = server.demo();
    // The caller's phone sends back whatever it hears (sipp -rtp_echo), so the agent hearing
    // their own voice come back proves audio both ways through the SIP leg. Without barge-in
    // the bot does not take its own voice coming back for the caller speaking over it.
    with_queue(&server, &key, &tenant, json!({ "whisper": false }));
    let r = server.patch(&key, &format!("/v1/tenants/{tenant}"), json!({ "telephony": { "barge_in": false } }));
    assert_eq!(r.status, 200, "{}", r.body);
    desk_user(&server, &key, &tenant, "林小美", "mei@tea.example");
    let mut mei = open_desk(&server, "mei@tea.example", true);

    // The caller presses 0 and waits for the call to be hung up on their side.
    let target = server.sip.expect("server with SIP").to_string();
    let caller = sipp::sipp_command("caller_dtmf.xml", &target, sipp::DEMO_NUMBER, &server.data_dir, &["-rtp_echo"])
        .spawn()
        .expect("sipp");
    mei.wait_for("!!document.querySelector('.ringing')", WAIT);
    let caller_number = mei.eval("document.querySelector('.ringing [data-pop=caller]').textContent");
    assert_eq!(caller_number, json!("+886955000111"), "the SIP caller's number on the screen-pop");
    mei.click(".ringing button[name=accept]");
    mei.wait_for("document.querySelector('.oncall')?.getAttribute('data-connected') === 'true'", WAIT);
    mei.wait_for_audio("window.__desk.pc", 0.005, WAIT);
    mei.screenshot(&screenshots().join("05-sip-caller.png"));
    mei.click(".oncall button[name=hangup]");
    let out = caller.wait_with_output().unwrap();
    sipp::assert_passed(&out, "the SIP caller was put through and the agent hung up", &server);
    mei.wait_for("!!document.querySelector('form.wrapup')", WAIT);
}
