//! Phone calls over SIP against real peers on loopback: sipp as caller, agent
//! and customer; raw datagrams for what no well-behaved peer sends. The server
//! is the real binary with real speech models (English recognition with
//! tiny.en, which keeps the tests quick).

mod common;

#[path = "common/caller.rs"]
mod caller;
#[path = "common/sipp.rs"]
mod sipp;
#[path = "common/baresip.rs"]
mod baresip;

use std::net::UdpSocket;
use std::time::Duration;

use common::Server;
use serde_json::json;
use sipp::{DEMO_NUMBER, assert_passed, free_port, sipp, sipp_peer};

fn raw_sip(server: &Server, datagram: &str) -> Option<String> {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    s.send_to(datagram.as_bytes(), server.sip.unwrap()).unwrap();
    let mut buf = [0u8; 4096];
    let mut replies = String::new();
    // Collect what comes back within the timeout (100 Trying, then the final answer).
    while let Ok((n, _)) = s.recv_from(&mut buf) {
        replies.push_str(&String::from_utf8_lossy(&buf[..n]));
        if replies.contains("SIP/2.0 4") || replies.contains("SIP/2.0 2") {
            break;
        }
    }
    (!replies.is_empty()).then_some(replies)
}

fn options(server: &Server) -> String {
    let port = server.sip.unwrap().port();
    raw_sip(
        server,
        &format!(
            "OPTIONS sip:switchboard@127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-o1\r\n\
             From: <sip:probe@127.0.0.1>;tag=1\r\nTo: <sip:switchboard@127.0.0.1>\r\nCall-ID: options-1\r\n\
             CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        ),
    )
    .expect("an answer to OPTIONS")
}

/// The demo tenant on a fresh SIP server: the server, the tenant, its key.
fn demo_sip_server() -> (Server, String, String) {
    let server = Server::start_sip("tiny-en");
    let (tenant, key) = server.demo();
    (server, tenant, key)
}

#[test]
fn options_unknown_numbers_and_offers_without_g711_get_their_answers() {
    let (server, _, _) = demo_sip_server();
    // Keep-alive.
    let reply = options(&server);
    assert!(reply.starts_with("SIP/2.0 200 OK") && reply.contains("Allow: INVITE"), "{reply}");
    // A number nobody has.
    assert_passed(&sipp(&server, "caller_refused_404.xml", "+15550000000", &[]), "unknown number → 404", &server);
    // An offer without G.711.
    assert_passed(&sipp(&server, "caller_refused_488.xml", DEMO_NUMBER, &[]), "opus only → 488", &server);
}

/// Garbage, a broken INVITE, bad SDP, a hostile header count, a BYE for no dialog: 400 (or
/// 488, 481) where a reply can be addressed, and no crash.
#[test]
fn malformed_sip_is_refused_saying_why_and_the_server_goes_on() {
    let (server, _, key) = demo_sip_server();
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.send_to(b"\x00\x01garbage\xff\xfe", server.sip.unwrap()).unwrap();
    let broken = format!(
        "INVITE sip:{DEMO_NUMBER}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-b1\r\n\
         From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:{DEMO_NUMBER}@127.0.0.1>\r\nCall-ID: broken-1\r\n\
         CSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 999\r\n\r\nv=0\r\n"
    );
    let reply = raw_sip(&server, &broken).expect("a reply to a broken INVITE");
    assert!(reply.starts_with("SIP/2.0 400 Bad Request"), "{reply}");
    assert!(reply.contains("Content-Length"), "{reply}");
    let bad_sdp = format!(
        "INVITE sip:{DEMO_NUMBER}@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-b2\r\n\
         From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:{DEMO_NUMBER}@127.0.0.1>\r\nCall-ID: broken-2\r\n\
         CSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 30\r\n\r\nv=0\r\nm=audio banana RTP/AVP 0\r\n"
    );
    let reply = raw_sip(&server, &bad_sdp).expect("a reply to bad SDP");
    assert!(reply.contains("SIP/2.0 488 Not Acceptable Here"), "{reply}");
    let many_headers = format!(
        "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n{}Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-b3\r\n\
         From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:y@127.0.0.1>\r\nCall-ID: many-headers\r\nCSeq: 1 OPTIONS\r\n\r\n",
        "X-Junk: a\r\n".repeat(500)
    );
    let reply = raw_sip(&server, &many_headers).expect("a reply to a hostile header count");
    assert!(reply.starts_with("SIP/2.0 400") && reply.contains("headers"), "refused, saying why: {reply}");
    let reply = raw_sip(
        &server,
        "BYE sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-b4\r\nFrom: <sip:x@h>;tag=1\r\n\
         To: <sip:y@h>;tag=2\r\nCall-ID: nobody\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
    )
    .unwrap();
    assert!(reply.starts_with("SIP/2.0 481"), "{reply}");
    assert!(options(&server).starts_with("SIP/2.0 200 OK"), "still serving after bad input");
    assert_eq!(server.get(&key, "/healthz").status, 200);
}

/// The caller hangs up while the greeting plays, over TCP and over UDP: the record is closed
/// as abandoned, with the greeting in its transcript.
#[test]
fn a_caller_who_hangs_up_mid_greeting_is_recorded_as_abandoned() {
    let (server, tenant, key) = demo_sip_server();
    let watch = server.watch_calls(&key, &tenant);
    assert_passed(&sipp(&server, "caller_hangup.xml", DEMO_NUMBER, &["-t", "t1"]), "hang-up over TCP", &server);
    let call = watch.ended(&server, |c| c["channel"] == "sip");
    assert_eq!(call["outcome"], "abandoned", "over TCP: {call}");
    assert_passed(&sipp(&server, "caller_hangup.xml", DEMO_NUMBER, &[]), "hang-up mid-prompt", &server);
    let call = watch.ended(&server, |c| c["channel"] == "sip");
    assert_eq!(call["outcome"], "abandoned", "{call}");
    assert_eq!(call["end_reason"], "caller-hangup");
    assert_eq!(call["caller"], "+886955000111");
    assert_eq!(call["callee"], DEMO_NUMBER);
    assert!(call["transcript"][0]["speaker"] == "bot", "the greeting was said: {}", call["transcript"]);
}

/// CANCEL while ringing: 200 for the CANCEL, 487 for the INVITE.
#[test]
fn a_cancel_while_ringing_ends_the_invite_with_487() {
    let (server, tenant, key) = demo_sip_server();
    let r = server.patch(&key, &format!("/v1/tenants/{tenant}"), json!({"telephony": {"ring_ms": 3000}}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_passed(&sipp(&server, "caller_cancel.xml", DEMO_NUMBER, &[]), "CANCEL before answer", &server);
}

/// Only allowed sources get in; then a trunk without credentials is challenged, and the
/// digest hash is never shown.
#[test]
fn only_allowed_sources_and_trunks_with_credentials_get_in() {
    let (server, tenant, key) = demo_sip_server();
    let r = server.patch(&key, &format!("/v1/tenants/{tenant}"), json!({"telephony": {"allowed_sources": ["10.0.0.0/8"]}}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_passed(&sipp(&server, "caller_refused_403.xml", DEMO_NUMBER, &[]), "source not allowed → 403", &server);
    let r = server.patch(
        &key,
        &format!("/v1/tenants/{tenant}"),
        json!({"telephony": {"allowed_sources": ["127.0.0.1"], "auth": {"username": "trunk", "password": "correct-horse"}}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["telephony"]["auth"].get("ha1").is_none(), "the digest hash is not shown: {}", r.body);
    assert_passed(&sipp(&server, "caller_refused_401.xml", DEMO_NUMBER, &[]), "no credentials → 401", &server);
    let r = server.patch(&key, &format!("/v1/tenants/{tenant}"), json!({"telephony": {"auth": {"username": "t"}}}));
    assert_eq!(r.status, 422, "a password is required: {}", r.body);
}

/// An INVITE flood from one source: past a burst, new calls get 503 with Retry-After.
#[test]
fn an_invite_flood_from_one_source_is_throttled() {
    let (server, _, key) = demo_sip_server();
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    for i in 0..60 {
        let invite = format!(
            "INVITE sip:+15550000000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-f{i}\r\n\
             From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:+15550000000@127.0.0.1>\r\nCall-ID: flood-{i}\r\n\
             CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
        );
        s.send_to(invite.as_bytes(), server.sip.unwrap()).unwrap();
    }
    let mut buf = [0u8; 4096];
    let mut throttled = 0;
    while let Ok((n, _)) = s.recv_from(&mut buf) {
        let reply = String::from_utf8_lossy(&buf[..n]);
        if reply.starts_with("SIP/2.0 503") {
            assert!(reply.contains("Retry-After"), "{reply}");
            throttled += 1;
        }
    }
    assert!(throttled >= 30, "only {throttled} of 60 flooding INVITEs were throttled");
    assert_eq!(server.get(&key, "/healthz").status, 200);
}

/// A minimal INVITE from `from` (a socket's address) to the demo number, with G.711 SDP.
fn invite(
    server: &Server,
    from: std::net::SocketAddr,
    call_id: &str,
    cseq: u32,
    authorization: Option<&str>,
) -> (String, String) {
    let uri = format!("sip:{DEMO_NUMBER}@{}", server.sip.unwrap());
    let sdp = format!(
        "v=0\r\no=x 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
        ip = from.ip()
    );
    let auth = authorization.map(|a| format!("Authorization: {a}\r\n")).unwrap_or_default();
    let message = format!(
        "INVITE {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {from};branch=z9hG4bK-{call_id}-{cseq}\r\n\
         From: <sip:+886955000111@{from}>;tag=t{call_id}\r\nTo: <{uri}>\r\nCall-ID: {call_id}\r\n\
         CSeq: {cseq} INVITE\r\nContact: <sip:caller@{from}>\r\nMax-Forwards: 70\r\n{auth}\
         Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    (uri, message)
}

/// The first final response (status ≥ 200) to the call `call_id` the socket receives.
fn final_response(s: &UdpSocket, call_id: &str) -> String {
    let mut buf = [0u8; 8192];
    loop {
        let (n, _) = s.recv_from(&mut buf).expect("a final response");
        let reply = String::from_utf8_lossy(&buf[..n]).into_owned();
        if !reply.starts_with("SIP/2.0 1") && header(&reply, "Call-ID") == call_id {
            return reply;
        }
    }
}

/// ACK a 200 to our INVITE, then hang up with BYE.
fn ack_and_bye(s: &UdpSocket, server: &Server, ok: &str, uri: &str) {
    let me = s.local_addr().unwrap();
    let (from, to, call_id) = (header(ok, "From"), header(ok, "To"), header(ok, "Call-ID"));
    let cseq: u32 = header(ok, "CSeq").split_whitespace().next().unwrap().parse().unwrap();
    for (method, n) in [("ACK", cseq), ("BYE", cseq + 1)] {
        let request = format!(
            "{method} {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bK-{call_id}-{method}\r\nFrom: {from}\r\n\
             To: {to}\r\nCall-ID: {call_id}\r\nCSeq: {n} {method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        );
        s.send_to(request.as_bytes(), server.sip.unwrap()).unwrap();
    }
}

fn header<'a>(message: &'a str, name: &str) -> &'a str {
    message
        .lines()
        .find_map(|l| l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim()))
        .unwrap_or_default()
}

/// Digest authentication holds: sipp answering the 401 gets through; the same answer sent
/// again (a captured header replayed on a new call) is refused; unanswered INVITEs from
/// two hundred addresses leave a real trunk able to authenticate.
#[test]
fn digest_authentication_refuses_replays_and_survives_a_flood() {
    let server = Server::start_sip("tiny-en");
    let (tenant, key) = server.demo();
    let r = server.patch(
        &key,
        &format!("/v1/tenants/{tenant}"),
        json!({"telephony": {"allowed_sources": ["127.0.0.0/8"], "auth": {"username": "trunk", "password": "correct-horse"}}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_passed(&sipp(&server, "caller_digest.xml", DEMO_NUMBER, &[]), "a trunk answering the challenge", &server);

    // A capture: challenged, answered, connected; then the same Authorization on a new call.
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let me = s.local_addr().unwrap();
    let (uri, first) = invite(&server, me, "capture-1", 1, None);
    s.send_to(first.as_bytes(), server.sip.unwrap()).unwrap();
    let challenge = final_response(&s, "capture-1");
    assert!(challenge.starts_with("SIP/2.0 401"), "{challenge}");
    let answer = switchboard::sip::auth::answer(
        header(&challenge, "WWW-Authenticate"),
        "INVITE",
        &uri,
        "trunk",
        "correct-horse",
    )
    .expect("a digest answer");
    let (_, authed) = invite(&server, me, "capture-2", 1, Some(&answer));
    s.send_to(authed.as_bytes(), server.sip.unwrap()).unwrap();
    let ok = final_response(&s, "capture-2");
    assert!(ok.starts_with("SIP/2.0 200"), "the answer is good once: {ok}");
    ack_and_bye(&s, &server, &ok, &uri);
    let (_, replay) = invite(&server, me, "replay-1", 1, Some(&answer));
    s.send_to(replay.as_bytes(), server.sip.unwrap()).unwrap();
    let refused = final_response(&s, "replay-1");
    assert!(refused.starts_with("SIP/2.0 403"), "a replayed answer is refused: {refused}");
    // The same answer for another Request-URI is refused too.
    let other = answer.replace(&uri, &format!("sip:+15550001111@{}", server.sip.unwrap()));
    let (_, moved) = invite(&server, me, "replay-2", 1, Some(&other));
    s.send_to(moved.as_bytes(), server.sip.unwrap()).unwrap();
    let refused = final_response(&s, "replay-2");
    assert!(refused.starts_with("SIP/2.0 403"), "{refused}");

    // Two hundred sources, each an INVITE it never answers.
    for i in 2..202 {
        let flooder = UdpSocket::bind(format!("127.0.0.{i}:0")).unwrap();
        let (_, message) = invite(&server, flooder.local_addr().unwrap(), &format!("flood-{i}"), 1, None);
        flooder.send_to(message.as_bytes(), server.sip.unwrap()).unwrap();
        flooder.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let challenged = final_response(&flooder, &format!("flood-{i}"));
        assert!(challenged.starts_with("SIP/2.0 401"), "{challenged}");
    }
    assert_passed(&sipp(&server, "caller_digest.xml", DEMO_NUMBER, &[]), "a trunk after the flood", &server);
}

/// Trunks send the dialled number in other forms: E.164 without the plus, or national.
#[test]
fn a_number_dialled_without_plus_or_in_national_form_reaches_its_tenant() {
    let server = Server::start_sip("tiny-en");
    server.demo();
    for dialled in ["886223456789", "0223456789"] {
        assert_passed(&sipp(&server, "caller_hangup.xml", dialled, &[]), dialled, &server);
    }
    assert_passed(&sipp(&server, "caller_refused_404.xml", "0223456780", &[]), "another number → 404", &server);
}

#[test]
fn dtmf_zero_bridges_the_caller_to_an_agent_with_the_context() {
    let server = Server::start_sip("tiny-en");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    let agent_port = free_port();
    let r = server.patch(
        &key,
        &format!("/v1/tenants/{tenant}"),
        json!({"agents": [{"name": "front-desk", "uri": format!("sip:front-desk@127.0.0.1:{agent_port}")}]}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let agent = sipp_peer(&server.data_dir, "agent.xml", agent_port);
    let caller = sipp(&server, "caller_dtmf.xml", DEMO_NUMBER, &[]);
    let agent = agent.wait_with_output().unwrap();
    assert_passed(&agent, "the agent got the call with its context", &server);
    assert_passed(&caller, "the caller pressed 0 and was bridged", &server);
    let call = watch.ended(&server, |c| c["channel"] == "sip" && c["outcome"] == "transferred");
    assert_eq!(call["transfer"]["status"], "connected", "{call}");
    assert!(call["transfer"]["target"].as_str().unwrap().contains(&agent_port.to_string()), "{call}");
    let transcript = call["transcript"].to_string();
    assert!(transcript.contains("[DTMF 0]"), "{transcript}");
}

#[test]
fn a_spoken_request_for_a_person_is_referred_to_the_agent() {
    use switchboard::speech::tts::{Tts, piper::Piper};
    let server = Server::start_sip("tiny-en");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    let r = server.patch(
        &key,
        &format!("/v1/tenants/{tenant}"),
        json!({"agents": [{"name": "front-desk", "uri": "sip:front-desk@pbx.example.com", "mode": "blind"}]}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let piper = Piper::load().expect("English voice").deterministic();
    let speech = piper.synthesize("Hello. I would like to talk to a real person, please.", 1.0).unwrap();
    // The scenario plays `caller_speech.pcap` from sipp's working directory (the server's data directory).
    caller::write_rtp_pcap(&speech, &server.data_dir.join("caller_speech.pcap"));
    let out = sipp(&server, "caller_speech_refer.xml", DEMO_NUMBER, &[]);
    assert_passed(&out, "spoken request → REFER", &server);
    let call = watch.ended(&server, |c| c["channel"] == "sip" && c["outcome"] == "transferred");
    let heard: Vec<String> = call["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["speaker"] == "caller")
        .map(|t| t["text"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(heard.iter().any(|t| t.contains("real person")), "recognised: {heard:?}");
    // The caller spoke during the (interruptible) greeting: barge-in cut it short.
    assert!(call["transcript"].to_string().contains("[barge-in"), "{}", call["transcript"]);
    // The measured onset → pause time, for the notes (`--nocapture`).
    let log = std::fs::read_to_string(server.data_dir.join("server.log")).unwrap_or_default();
    for line in log.lines().filter(|l| l.contains("barge-in: playback paused")) {
        println!("{}", line.split("conversation: ").nth(1).unwrap_or(line));
    }
    assert_eq!(call["transfer"]["status"], "connected");
    assert_eq!(call["transfer"]["target"], "sip:front-desk@pbx.example.com");
}

#[test]
fn an_outbound_call_is_answered_and_handled_by_the_flow() {
    let server = Server::start_sip("tiny-en");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    let port = free_port();
    let callee = sipp_peer(&server.data_dir, "callee.xml", port);
    let r = server.post(
        &key,
        &format!("/v1/tenants/{tenant}/calls/outbound"),
        json!({"to": format!("sip:+886955000222@127.0.0.1:{port}"), "flow_input": "order-status:1001"}),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let bad = server.post(&key, &format!("/v1/tenants/{tenant}/calls/outbound"), json!({"to": "+886955000222"}));
    assert_eq!(bad.status, 400, "a number needs the tenant's outbound trunk: {}", bad.body);
    assert_passed(&callee.wait_with_output().unwrap(), "outbound call answered", &server);
    let call = watch.ended(&server, |c| c["direction"] == "outbound" && c["ended_at_ms"].is_u64());
    assert_eq!(call["channel"], "sip");
    assert_eq!(call["callee"], format!("sip:+886955000222@127.0.0.1:{port}"));
    assert_eq!(call["outcome"], "abandoned", "the customer hung up: {call}");
    assert!(call["transcript"][0]["speaker"] == "bot", "the flow spoke first: {call}");
}

/// baresip as the caller, playing a recorded order (our English voice, five turns with pauses) from a
/// WAV file, then hanging up when the file ends, as a person would after the goodbye.
#[test]
fn a_tea_order_from_a_baresip_caller_is_stored_and_recorded() {
    let server = Server::start_sip("tiny-en");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    let r = server.patch(&key, &format!("/v1/tenants/{tenant}"), json!({"telephony": {"recording": true}}));
    assert_eq!(r.status, 200, "{}", r.body);

    // The consent prompt and greeting come first; each turn waits for the bot's answer.
    let caller = caller::spoken_order(8000, 9.0, 7.0);
    baresip::call(&server, &caller, "+886955333444", 6.0, false);

    // The recording is written after the call ends: wait for that event.
    let call = watch.recorded(&server, |c| c["channel"] == "sip" && c["caller"] == "+886955333444");
    let orders = server.get(&key, &format!("/v1/tenants/{tenant}/orders")).body;
    let order = &orders["orders"][0];
    assert_eq!(order["total"], 120, "orders: {orders}\ncall: {call}");
    assert_eq!(order["customer_name"], "John", "{order}");
    assert_eq!(call["order_ids"][0], order["id"], "{call}");
    assert!(call["tags"].as_array().unwrap().iter().any(|t| t == "order-placed"), "{call}");

    // The recording: consent noted, caller on the left, the bot on the right.
    assert!(call["transcript"].to_string().contains("consent prompt"), "{call}");
    let wav = server.get_bytes(&key, &format!("/v1/tenants/{tenant}/calls/{}/recording", call["id"].as_str().unwrap()));
    assert!(wav.len() > 44 + 16_000 * 4 * 20, "a recording of the whole call: {} bytes", wav.len());
    let frames: Vec<(f32, f32)> = wav[44..]
        .chunks_exact(4)
        .map(|c| (i16::from_le_bytes([c[0], c[1]]) as f32, i16::from_le_bytes([c[2], c[3]]) as f32))
        .collect();
    let energy =
        |f: &dyn Fn(&(f32, f32)) -> f32| frames.iter().map(|x| f(x).powi(2)).sum::<f32>() / frames.len() as f32;
    assert!(energy(&|x| x.0) > 1000.0, "the caller is heard on the left");
    assert!(energy(&|x| x.1) > 1000.0, "the bot is heard on the right");
    let other = server.get(&key, &format!("/v1/tenants/{tenant}/calls/call_nonexistent/recording"));
    assert_eq!(other.status, 404);
}

/// A Mandarin caller (a recorded voice that is not the bot's, through the phone band) orders in
/// short answers over SIP; Whisper base hears them steered by what the flow expects.
#[test]
fn a_mandarin_order_in_short_answers_from_a_baresip_caller_is_stored() {
    let server = Server::start_sip("base");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    let caller = caller::recorded(caller::MANDARIN_VOICE, &caller::MANDARIN_ORDER, 8000, 8.0, 8.0);
    baresip::call(&server, &caller, "+886955333555", 6.0, false);
    let call = watch.ended(&server, |c| {
        c["channel"] == "sip" && c["caller"] == "+886955333555" && c["ended_at_ms"].is_u64()
    });
    let orders = server.get(&key, &format!("/v1/tenants/{tenant}/orders")).body;
    let order = &orders["orders"][0];
    assert_eq!(order["customer_name"], "林", "orders: {orders}\ncall: {call}");
    assert_eq!(order["total"], 120, "{order}");
    assert_eq!(
        order["items"][0]["options"],
        json!([{"group":"sugar","choice":"half"},{"group":"ice","choice":"less"}]),
        "{order}"
    );
    assert_eq!(order["fulfilment"], "pickup", "{order}");
    assert_eq!(call["order_ids"][0], order["id"], "{call}");
}

/// The agent never answers: after `transfer_timeout_secs` the tenant's fallback applies. With
/// `callback`, the caller is promised a call back, the call is tagged, and the bot hangs up.
#[test]
fn an_unanswered_transfer_falls_back_to_a_callback_promise() {
    let server = Server::start_sip("tiny-en");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    // A port nobody listens on: the INVITE goes unanswered.
    let silent = free_port();
    let r = server.patch(
        &key,
        &format!("/v1/tenants/{tenant}"),
        json!({
            "agents": [{"name": "front-desk", "uri": format!("sip:front-desk@127.0.0.1:{silent}")}],
            "telephony": {"transfer_timeout_secs": 5, "transfer_fallback": "callback"}
        }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_passed(&sipp(&server, "caller_dtmf.xml", DEMO_NUMBER, &[]), "transfer not answered", &server);
    let call = watch.ended(&server, |c| c["channel"] == "sip" && c["ended_at_ms"].is_u64());
    assert_eq!(call["transfer"]["status"], "no-answer", "{call}");
    assert_eq!(call["outcome"], "completed", "{call}");
    assert!(call["tags"].as_array().unwrap().iter().any(|t| t == "callback-requested"), "{call}");
    // The demo tenant speaks zh-TW: 「…會盡快回電給您」 (we will call you back).
    assert!(call["transcript"].to_string().contains("回電"), "{}", call["transcript"]);
}

/// Hold and resume by re-INVITE (the answer mirrors the direction), a key pressed by SIP INFO,
/// and the maximum call length ending a silent call politely.
#[test]
fn hold_info_keys_and_the_maximum_call_length() {
    let server = Server::start_sip("tiny-en");
    let (tenant, key) = server.demo();
    let watch = server.watch_calls(&key, &tenant);
    assert_passed(&sipp(&server, "caller_hold_info.xml", DEMO_NUMBER, &[]), "hold, resume, INFO", &server);
    let call = watch.ended(&server, |c| c["channel"] == "sip" && c["ended_at_ms"].is_u64());
    assert!(call["transcript"].to_string().contains("[DTMF 9]"), "{}", call["transcript"]);

    let r = server.patch(&key, &format!("/v1/tenants/{tenant}"), json!({"telephony": {"max_call_secs": 10}}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_passed(&sipp(&server, "caller_wait.xml", DEMO_NUMBER, &[]), "the host ends a long call", &server);
    let call = watch.ended(&server, |c| c["end_reason"] == "max-duration");
    assert_eq!(call["outcome"], "completed", "{call}");
}
