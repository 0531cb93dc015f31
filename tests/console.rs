//! The operator's console in a real browser (headless Chromium): signing in, the dashboard's
//! figures against a known mix of calls, finding a call by a word, transcripts shown as text,
//! FAQ editing seen by the next call, flow versions uploaded, activated and rolled back, and a
//! tenant user kept to their own tenant. Every page is kept as a screenshot in
//! `$CARGO_TARGET_DIR/tmp/console-screenshots/` (a test artefact: look at them).

#[path = "common/browser.rs"]
mod browser;
mod common;

use std::path::PathBuf;
use std::time::Duration;

use browser::Chromium;
use common::{ADMIN_TOKEN, Server};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(60);

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot directory");
    dir
}

/// A JavaScript string literal.
fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// Open the console and sign in with `key` through its form.
fn sign_in(server: &Server, key: &str, shot: Option<&str>) -> Chromium {
    let mut page = Chromium::open_for_voice(&format!("{}/console", server.base));
    page.wait_for("!!document.querySelector('.signin input[name=key]')", WAIT);
    if let Some(name) = shot {
        page.screenshot(&screenshots().join(name));
    }
    fill(&mut page, ".signin input[name=key]", key);
    page.eval("document.querySelector('.signin button[type=submit]').click(), true");
    page.wait_for("!!document.querySelector('header .brand')", WAIT);
    page
}

/// Type `value` into the field `selector`.
fn fill(page: &mut Chromium, selector: &str, value: &str) {
    page.fill(selector, value);
}

fn go(page: &mut Chromium, hash: &str) {
    page.eval(&format!("location.hash = {}, true", js(hash)));
}

fn text_of(page: &mut Chromium, selector: &str) -> String {
    page.eval(&format!("document.querySelector({})?.textContent ?? ''", js(selector))).as_str().unwrap_or_default().to_string()
}

fn figure(page: &mut Chromium, name: &str) -> String {
    text_of(page, &format!("[data-figure={name}] .value"))
}

/// A known mix of simulated calls to the demo tenant: one order, two transfers, one FAQ
/// answered, one abandoned mid-order, one whose caller typed markup.
fn place_known_calls(server: &Server, key: &str, tenant: &str) {
    server.place_pickup_order(key, tenant, "+886911000001", "一杯大杯珍奶半糖少冰", "我姓王");
    for caller in ["+886911000002", "+886911000003"] {
        let c = server.simulate(key, tenant, caller, &[json!("轉人工")]);
        assert_eq!(c["outcome"], "transferred", "{c:#}");
    }
    let c = server.simulate(key, tenant, "+886911000004", &[json!("你們幾點關門"), json!("沒有了，謝謝")]);
    assert_eq!(c["outcome"], "completed", "{c:#}");
    let c = server.simulate(key, tenant, "+886911000005", &[json!("我要兩杯紅茶")]);
    assert_eq!(c["outcome"], "abandoned", "{c:#}");
    let c = server.simulate(key, tenant, "+886911000006", &[json!("<script>window.pwned=1</script><b>hi</b>"), json!("bye")]);
    assert_eq!(c["outcome"], "completed", "{c:#}");
}

#[test]
fn the_provider_sees_the_figures_of_a_known_mix_of_calls_and_finds_a_call_by_a_word() {
    let server = Server::start();
    let (tenant, key) = server.demo();
    place_known_calls(&server, &key, &tenant);

    // The API's figures: 6 calls answered; contained: the order, the FAQ call and the markup
    // call (3/6); transferred 2/6; resolved: order-placed and faq-answered (2/6); abandoned 1/6.
    let stats = server.get(&key, &format!("/v1/tenants/{tenant}/stats?bucket=hour")).body;
    let totals = &stats["totals"];
    assert_eq!((totals["offered"].as_i64(), totals["answered"].as_i64()), (Some(6), Some(6)), "{stats:#}");
    assert_eq!(totals["containment_rate"].as_f64(), Some(0.5));
    assert_eq!(totals["orders"].as_i64(), Some(1));
    assert!(totals["revenue"]["TWD"].as_i64().is_some_and(|r| r > 0), "{totals:#}");

    let mut page = sign_in(&server, ADMIN_TOKEN, Some("01-sign-in.png"));
    // The provider lands on every tenant's figures.
    page.wait_for("document.querySelector('[data-page=overview] [data-figure=offered] .value')?.textContent === '6'", WAIT);
    page.screenshot(&screenshots().join("02-provider-overview.png"));

    // The tenant's dashboard, once it has drawn (not the overview it replaces).
    go(&mut page, &format!("#/t/{tenant}/dashboard"));
    page.wait_for(
        "document.querySelector('[data-page=dashboard] [data-figure=answered] .value')?.textContent === '6' \
         && !!document.querySelector('[data-page=dashboard] .chart canvas')",
        WAIT,
    );
    assert_eq!(figure(&mut page, "offered"), "6");
    assert_eq!(figure(&mut page, "containment_rate"), "50.0%");
    assert_eq!(figure(&mut page, "transfer_rate"), "33.3%");
    assert_eq!(figure(&mut page, "resolution_rate"), "33.3%");
    assert_eq!(figure(&mut page, "abandonment_rate"), "16.7%");
    assert_eq!(figure(&mut page, "orders_n"), "1");
    page.screenshot(&screenshots().join("03-dashboard.png"));
    page.viewport(390, 844, true);
    page.screenshot(&screenshots().join("04-dashboard-phone.png"));
    page.viewport(1280, 900, false);

    // Find a call by a word of its transcript.
    go(&mut page, &format!("#/t/{tenant}/calls"));
    page.wait_for("document.querySelectorAll('table.calls tbody tr').length === 6", WAIT);
    page.screenshot(&screenshots().join("05-calls.png"));
    fill(&mut page, "input[name=text]", "珍奶");
    page.eval("document.querySelector('form.filters button[type=submit]').click(), true");
    page.wait_for("document.querySelectorAll('table.calls tbody tr').length === 1", WAIT);
    let found = page.eval("document.querySelector('table.calls tbody tr').getAttribute('data-call')");
    let order_call = server.get(&key, &format!("/v1/tenants/{tenant}/calls/{}", found.as_str().unwrap())).body;
    assert!(order_call["tags"].as_array().unwrap().contains(&json!("order-placed")), "{order_call:#}");

    // The markup a caller typed is shown as text, never run.
    let calls = server.get(&key, &format!("/v1/tenants/{tenant}/calls?text=script")).body;
    let marked = calls["calls"][0]["id"].as_str().expect("the markup call is found by its words").to_string();
    go(&mut page, &format!("#/t/{tenant}/calls/{marked}"));
    page.wait_for("document.querySelectorAll('.transcript li').length > 2", WAIT);
    let said = page.eval("Array.from(document.querySelectorAll('.transcript .said')).map(e => e.textContent).join('\\n')");
    assert!(said.as_str().unwrap().contains("<script>window.pwned=1</script><b>hi</b>"), "{said}");
    assert_eq!(page.eval("document.querySelectorAll('main script, main b').length"), json!(0));
    assert_eq!(page.eval("window.pwned === undefined"), json!(true));
    page.screenshot(&screenshots().join("06-call.png"));

    go(&mut page, &format!("#/t/{tenant}/orders"));
    page.wait_for("document.querySelectorAll('tr[data-order]').length === 1", WAIT);
    page.eval("(() => { const s = document.querySelector('tr[data-order] select'); s.value = 'preparing'; s.dispatchEvent(new Event('change', { bubbles: true })); return true; })()");
    // The row shows the status the server returned once the change was stored.
    page.wait_for("!!document.querySelector('tr[data-order][data-status=preparing]')", WAIT);
    let order_id = order_call["order_ids"][0].as_str().unwrap().to_string();
    assert_eq!(server.get(&key, &format!("/v1/tenants/{tenant}/orders/{order_id}")).body["status"], "preparing");
    page.screenshot(&screenshots().join("07-orders.png"));

    // Customers: block a caller; the flow then refuses them.
    go(&mut page, &format!("#/t/{tenant}/customers"));
    page.wait_for("!!document.querySelector('tr[data-customer=\"+886911000001\"] input[type=checkbox]')", WAIT);
    page.eval("document.querySelector('tr[data-customer=\"+886911000001\"] input[type=checkbox]').click(), true");
    page.wait_for("!!document.querySelector('tr[data-customer=\"+886911000001\"][data-blocked=true]')", WAIT);
    let c = server.simulate(&key, &tenant, "+886911000001", &[json!("一杯紅茶")]);
    assert!(c["tags"].as_array().unwrap().contains(&json!("blocked")), "{c:#}");
    page.screenshot(&screenshots().join("08-customers.png"));

    // The catalogue: a broken one is refused with the server's reason, and the stored one stays.
    go(&mut page, &format!("#/t/{tenant}/catalogue"));
    // A price changed in the product table is stored.
    page.wait_for("!!document.querySelector('input[name=\"product.0.size.0.price\"]')", WAIT);
    fill(&mut page, "input[name=\"product.0.size.0.price\"]", "99");
    page.eval("document.querySelector('main form .savebar button[type=submit]').click(), true");
    page.wait_for("!!document.querySelector('main form .ok')", WAIT);
    let stored = server.get(&key, &format!("/v1/tenants/{tenant}/catalog")).body;
    assert_eq!(stored["products"][0]["sizes"][0]["price"], json!(99), "{stored:#}");
    page.screenshot(&screenshots().join("08-catalogue-table.png"));
    let before = stored;
    page.eval("document.querySelector('button[name=as-json]').click(), true");
    page.wait_for("!!document.querySelector('textarea[name=catalog]')", WAIT);
    let broken = serde_json::to_string(&json!({ "currency": "TWD", "products": [{ "id": "x" }] })).unwrap();
    fill(&mut page, "textarea[name=catalog]", &broken);
    page.eval("document.querySelector('main form .savebar button[type=submit]').click(), true");
    page.wait_for("!!document.querySelector('main form .error')", WAIT);
    page.screenshot(&screenshots().join("08-catalogue.png"));
    assert_eq!(server.get(&key, &format!("/v1/tenants/{tenant}/catalog")).body, before);

    go(&mut page, "#/tenants");
    page.wait_for("document.querySelectorAll('tr[data-tenant]').length >= 1", WAIT);
    fill(&mut page, "input[name=name]", "Second Shop");
    fill(&mut page, "input[name=numbers]", "+886277770000");
    page.eval("document.querySelector('form.box button[type=submit]').click(), true");
    page.wait_for("!!document.querySelector('code.key')", WAIT);
    page.screenshot(&screenshots().join("08-tenants.png"));
}

#[test]
fn a_tenant_edits_its_faq_tries_and_rolls_back_flows_and_sees_no_other_tenant() {
    let server = Server::start();
    let (demo, _demo_key) = server.demo();
    let (tenant, key) = server.create_tenant("Corner Tea", json!({ "numbers": ["+886255550000"], "language": "zh-TW" }));
    let tea_shop = common::guest("tea_shop");
    let v1 = server.deploy(&key, &tenant, &tea_shop);
    let faq = server.post(&key, &format!("/v1/tenants/{tenant}/faq"), json!({
        "question": "幾點關門？", "answer": "我們晚上九點關門。", "language": "zh", "keywords": ["關門", "營業時間"]
    }));
    assert_eq!(faq.status, 201, "{:?}", faq.body);

    let mut page = sign_in(&server, &key, None);
    page.wait_for("!!document.querySelector('[data-page=dashboard] [data-figure=offered]')", WAIT);
    // In Traditional Chinese, each figure with its definition.
    page.eval("(() => { const s = document.querySelector('header select'); s.value = 'zh-TW'; s.dispatchEvent(new Event('change', { bubbles: true })); return true; })()");
    page.wait_for("document.querySelector('[data-figure=containment_rate] .label')?.textContent === '自助完成率'", WAIT);
    page.eval("document.querySelectorAll('.card details').forEach(d => d.open = true), true");
    page.screenshot(&screenshots().join("12-dashboard-zh.png"));

    // Another tenant's pages are not found, and show none of its data.
    go(&mut page, &format!("#/t/{demo}/calls"));
    page.wait_for("!!document.querySelector('.notfound')", WAIT);
    assert_eq!(page.eval("document.querySelectorAll('table').length"), json!(0));
    page.screenshot(&screenshots().join("09-other-tenant-404.png"));
    // The session's cookie does not open another tenant through the API either, and a change
    // without the CSRF token is refused.
    let status = page.eval(&format!("fetch('/v1/tenants/{demo}/faq').then(r => r.status)"));
    assert_eq!(status, json!(404));
    let status = page.eval(&format!(
        "fetch('/v1/tenants/{tenant}/faq', {{ method: 'POST', headers: {{ 'content-type': 'application/json' }}, \
         body: JSON.stringify({{ question: 'x?', answer: 'y', language: 'en' }}) }}).then(r => r.status)"
    ));
    assert_eq!(status, json!(403));

    // Live calls: a call in progress shows with its transcript as it is said, then ends.
    go(&mut page, &format!("#/t/{tenant}/live"));
    page.wait_for("!!document.querySelector('[data-connected=true]')", WAIT);
    let ws_url = format!(
        "{}/v1/tenants/{tenant}/calls/session?caller=%2B886911000008&access_token={key}",
        server.base.replacen("http://", "ws://", 1)
    );
    let (mut socket, _) = tungstenite::connect(ws_url.as_str()).expect("a text call");
    socket.read().expect("the greeting");
    socket.send(tungstenite::Message::text(json!({ "text": "請問幾點關門" }).to_string())).expect("say");
    socket.read().expect("the answer");
    let box_of_call = "Array.from(document.querySelectorAll('.live')).find(b => b.textContent.includes('請問幾點關門'))";
    page.wait_for(&format!("({box_of_call})?.getAttribute('data-ended') === ''"), WAIT);
    page.screenshot(&screenshots().join("10-live.png"));
    socket.close(None).ok();
    while socket.read().is_ok() {}
    page.wait_for(&format!("!!({box_of_call})?.getAttribute('data-ended')"), WAIT);

    // Edit the FAQ answer; the next call answers with it.
    go(&mut page, &format!("#/t/{tenant}/faq"));
    let entry = format!("form.faq[data-faq={}]", faq.body["id"].as_str().unwrap());
    page.wait_for(&format!("!!document.querySelector({})", js(&entry)), WAIT);
    fill(&mut page, &format!("{entry} textarea[name=answer]"), "我們週一到週日，晚上十點半關門。");
    page.eval(&format!("document.querySelector({}).click(), true", js(&format!("{entry} button[type=submit]"))));
    page.wait_for(&format!("!!document.querySelector({})", js(&format!("{entry} .ok"))), WAIT);
    // A form with nonsense shows the server's error and stores nothing.
    fill(&mut page, "form.faq[data-faq=new] input[name=question]", " ");
    fill(&mut page, "form.faq[data-faq=new] textarea[name=answer]", "x");
    page.eval("document.querySelector('form.faq[data-faq=new] button[type=submit]').click(), true");
    page.wait_for("!!document.querySelector('form.faq[data-faq=new] .error')", WAIT);
    assert!(text_of(&mut page, "form.faq[data-faq=new] .error").contains("question"));
    page.screenshot(&screenshots().join("10-faq.png"));
    let call = server.simulate(&key, &tenant, "+886911000009", &[json!("請問幾點關門"), json!("沒有了")]);
    assert!(common::all_replies(&call).contains("十點半"), "the next call uses the new answer: {call:#}");

    // Questions the bot cannot answer are grouped by meaning on the analytics page, which
    // suggests a FAQ entry; answered and added there, the next call uses it.
    for (caller, asked) in [("+886911000010", "你們有停車位嗎"), ("+886911000011", "附近可以停車嗎")] {
        let c = server.simulate(&key, &tenant, caller, &[json!(asked), json!("轉人工")]);
        assert!(!common::all_replies(&c).contains("停車場"), "not answered yet: {c:#}");
    }
    go(&mut page, &format!("#/t/{tenant}/analytics"));
    let group = "Array.from(document.querySelectorAll('.group')).find(g => g.textContent.includes('你們有停車位嗎') && g.textContent.includes('附近可以停車嗎'))";
    page.wait_for(&format!("!!({group})"), WAIT);
    page.eval(&format!("({group}).querySelector('details').open = true, true"));
    page.eval(&format!(
        "(() => {{ const e = ({group}).querySelector('textarea[name=answer]'); e.value = {}; e.dispatchEvent(new Event('input', {{ bubbles: true }})); return true; }})()",
        js("店門口有機車停車位，汽車請停對面的付費停車場。")
    ));
    page.eval(&format!("({group}).querySelector('button[type=submit]').click(), true"));
    page.wait_for(&format!("!!({group}).querySelector('.ok')"), WAIT);
    page.screenshot(&screenshots().join("13-analytics.png"));
    let c = server.simulate(&key, &tenant, "+886911000012", &[json!("請問那邊好停車嗎"), json!("沒有了")]);
    assert!(common::all_replies(&c).contains("停車場"), "the next call answers from the accepted entry: {c:#}");

    // Keep that call as a test case, from its page.
    go(&mut page, &format!("#/t/{tenant}/calls/{}", call["call_id"].as_str().unwrap()));
    page.wait_for("!!document.querySelector('button.save-case')", WAIT);
    page.eval("document.querySelector('button.save-case').click(), true");
    page.wait_for("!!document.querySelector('.row .ok')", WAIT);

    // Upload a second version, activate it, try the first in the chat panel, roll back.
    let wasm = std::env::temp_dir().join(format!("console-flow-{}.wasm", std::process::id()));
    std::fs::write(&wasm, common::guest("echo")).unwrap();
    go(&mut page, &format!("#/t/{tenant}/flows"));
    page.wait_for(&format!("!!document.querySelector('tr[data-version=\"{v1}\"]')"), WAIT);
    page.choose_file("input[name=wasm]", &wasm);
    page.eval("document.querySelector('main form.row button[type=submit]').click(), true");
    let v2 = v1 + 1;
    page.wait_for(&format!("!!document.querySelector('tr[data-version=\"{v2}\"] button')"), WAIT);
    page.eval(&format!("document.querySelector('tr[data-version=\"{v2}\"] button').click(), true"));
    page.wait_for(&format!("!!document.querySelector('tr[data-version=\"{v1}\"] button')"), WAIT);
    assert_eq!(server.get(&key, &format!("/v1/tenants/{tenant}")).body["active_flow"], json!(v2));
    // The chat panel talks to the version chosen, not only the active one.
    page.eval(&format!(
        "(() => {{ const s = document.querySelector('.chat select'); s.value = '{v1}'; s.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()"
    ));
    fill(&mut page, ".chat input[name=say]", "幾點關門");
    page.eval("document.querySelector('.chat form button[type=submit]').click(), true");
    page.wait_for("document.querySelector('.chat .transcript')?.textContent.includes('十點半')", WAIT);
    // Replaying the saved case against the new version shows the conversation changed, side by
    // side; against the first version, nothing changed.
    page.wait_for("!!document.querySelector('[data-case]') && !!document.querySelector('button.replay')", WAIT);
    page.eval("document.querySelector('button.replay').click(), true");
    page.wait_for("document.querySelector('.report')?.getAttribute('data-changed') === '1'", WAIT);
    assert_eq!(page.eval("document.querySelectorAll('.report .sidebyside').length"), json!(1));
    page.screenshot(&screenshots().join("11-flows.png"));
    page.eval(&format!(
        "(() => {{ const s = document.querySelector('select[name=replay-version]'); s.value = '{v1}'; s.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()"
    ));
    page.eval("document.querySelector('button.replay').click(), true");
    page.wait_for("document.querySelector('.report')?.getAttribute('data-changed') === '0'", WAIT);
    // The CLI replays too, and says so in its exit status.
    let cli = |version: u64| {
        std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .args(["cases", "replay", "--server", &server.base, "--key", &key, "--version", &version.to_string()])
            .output()
            .expect("switchboard cases replay")
    };
    let same = cli(v1);
    assert!(same.status.success(), "{}", String::from_utf8_lossy(&same.stdout));
    let changed = cli(v2);
    assert_eq!(changed.status.code(), Some(1), "{}", String::from_utf8_lossy(&changed.stdout));
    assert!(String::from_utf8_lossy(&changed.stdout).contains("CHANGED"));
    // A replay stores nothing: the call list is as it was.
    let calls = server.get(&key, &format!("/v1/tenants/{tenant}/calls")).body["calls"].as_array().unwrap().len();
    assert_eq!(calls, 6, "the live call, the FAQ calls and the chat panel's last call, no replays");
    // Roll back to the first version.
    page.eval(&format!("document.querySelector('tr[data-version=\"{v1}\"] button').click(), true"));
    page.wait_for(&format!("!!document.querySelector('tr[data-version=\"{v2}\"] button')"), WAIT);
    assert_eq!(server.get(&key, &format!("/v1/tenants/{tenant}")).body["active_flow"], json!(v1));
    let _ = std::fs::remove_file(&wasm);

    // Settings: a nonsense value is refused with the server's reason and changes nothing; a
    // good one is kept; the audit log lists who changed what.
    go(&mut page, &format!("#/t/{tenant}/settings"));
    page.wait_for("!!document.querySelector('form.settings input[name=\"telephony.max_call_secs\"]')", WAIT);
    fill(&mut page, "form.settings input[name=utc_offset_minutes]", "5000");
    page.eval("document.querySelector('form.settings button[type=submit]').click(), true");
    page.wait_for("!!document.querySelector('form.settings .error')", WAIT);
    assert!(text_of(&mut page, "form.settings .error").contains("utc_offset_minutes"));
    assert_eq!(server.get(&key, &format!("/v1/tenants/{tenant}")).body["utc_offset_minutes"], json!(480));
    fill(&mut page, "form.settings input[name=utc_offset_minutes]", "480");
    fill(&mut page, "form.settings input[name=resolution_tags]", "order-placed, faq-answered, resolved");
    // Speech, telephony, transfer targets and limits are form fields too.
    fill(&mut page, "form.settings input[name=\"telephony.max_call_secs\"]", "600");
    page.eval("document.querySelector('form.settings input[name=\"telephony.recording\"]').click(), true");
    fill(&mut page, "form.settings input[name=\"speech.end_of_turn_ms\"]", "1000");
    fill(&mut page, "form.settings input[name=\"limits.memory_mib\"]", "32");
    page.eval("[...document.querySelectorAll('form.settings .agents > button')].pop().click(), true");
    page.wait_for("!!document.querySelector('form.settings input[name=\"agent.0.uri\"]')", WAIT);
    fill(&mut page, "form.settings input[name=\"agent.0.name\"]", "Front desk");
    fill(&mut page, "form.settings input[name=\"agent.0.uri\"]", "sip:frontdesk@pbx.example.com");
    page.eval("document.querySelector('form.settings button[type=submit]').click(), true");
    page.wait_for("!!document.querySelector('form.settings .ok')", WAIT);
    let stored = server.get(&key, &format!("/v1/tenants/{tenant}")).body;
    assert_eq!(stored["analytics"]["resolution_tags"], json!(["order-placed", "faq-answered", "resolved"]));
    assert_eq!(stored["telephony"]["max_call_secs"], json!(600), "{stored:#}");
    assert_eq!(stored["telephony"]["recording"], json!(true));
    assert_eq!(stored["speech"]["end_of_turn_ms"], json!(1000));
    assert_eq!(stored["limits"]["memory_mib"], json!(32));
    assert_eq!(stored["agents"][0]["uri"], json!("sip:frontdesk@pbx.example.com"));
    // A value out of range in a section is refused with the server's reason.
    fill(&mut page, "form.settings input[name=\"speech.speed\"]", "9");
    page.eval("document.querySelector('form.settings button[type=submit]').click(), true");
    page.wait_for("(document.querySelector('form.settings .error')?.textContent ?? '').includes('speed')", WAIT);
    assert_eq!(server.get(&key, &format!("/v1/tenants/{tenant}")).body["speech"]["speed"], json!(1.0));
    for action in ["faq.update", "faq.create", "flow.upload", "flow.activate", "case.save", "tenant.settings"] {
        page.wait_for(&format!("!!document.querySelector('table.audit tr[data-action=\"{action}\"]')"), WAIT);
    }
    page.screenshot(&screenshots().join("14-settings.png"));

    // Agents and queues: a queue with nonsense hours is refused with the reason; a good one is
    // kept; a desk user is added (their password is never shown again).
    go(&mut page, &format!("#/t/{tenant}/agents"));
    page.wait_for("!!document.querySelector('form.queues')", WAIT);
    page.eval("[...document.querySelectorAll('form.queues button')].find(b => b.type === 'button' && b.classList.contains('secondary')).click(), true");
    page.wait_for("!!document.querySelector('input[name=\"queue.0.id\"]')", WAIT);
    fill(&mut page, "input[name=\"queue.0.id\"]", "support");
    fill(&mut page, "input[name=\"queue.0.name\"]", "客服");
    fill(&mut page, "textarea[name=\"queue.0.hours\"]", "1-5 18:00-09:00");
    page.eval("document.querySelector('form.queues button[type=submit]').click(), true");
    page.wait_for("(document.querySelector('form.queues .error')?.textContent ?? '').includes('hours')", WAIT);
    fill(&mut page, "textarea[name=\"queue.0.hours\"]", "1-5 09:00-18:00\n6 10:00-14:00");
    page.eval("document.querySelector('form.queues button[type=submit]').click(), true");
    page.wait_for("!!document.querySelector('form.queues .ok')", WAIT);
    let queues = server.get(&key, &format!("/v1/tenants/{tenant}")).body["queues"].clone();
    assert_eq!(queues[0]["hours"][1], json!({ "days": [6], "open": "10:00", "close": "14:00" }), "{queues:#}");
    fill(&mut page, "input[name=user_name]", "林小美");
    fill(&mut page, "input[name=user_login]", "mei@corner.example");
    fill(&mut page, "input[name=user_password]", "a desk password");
    page.eval("document.querySelector('form.newuser button[type=submit]').click(), true");
    page.wait_for("!!document.querySelector('tr[data-user=\"mei@corner.example\"]')", WAIT);
    page.screenshot(&screenshots().join("15-agents.png"));
}
