//! The conversation with fakes for the models (`switchboard_call::fakes`): the demo tenant's real
//! flow and session, and a caller whose words are tones the fake recogniser reads.
//! What is tested is what the conversation does with turns: when they end, what it
//! does with silence, expected answers, interruptions and transfers, and that
//! making the bot's audio never holds up listening to the caller.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::App;
use crate::call::CallSetup;
use crate::call::conversation::{AudioOut, Conversation, MediaIn, Progress};
use crate::call::fakes::{self, Gate, say, silence};
use crate::call::voice::{VoiceCall, VoiceEvent};
use crate::domain::calls::{Channel, Direction};
use crate::storage::redb::TempDir;

const NAME: &str = "我姓王";
const ORDER: &str = "一杯大杯紅茶半糖少冰";

/// The demo tenant in a fresh data directory.
async fn demo() -> (Arc<App>, CallSetup, TempDir) {
    let dir = TempDir::new();
    let app = App::open(dir.path()).expect("app");
    crate::demo::seed_if_empty(&app).await.expect("demo tenant");
    let tenant = app.db.tenants().await.expect("tenants").remove(0);
    let setup = CallSetup {
        tenant,
        caller: "+886922000111".into(),
        callee: crate::demo::DEMO_NUMBER.into(),
        channel: Channel::Sip,
        direction: Direction::Inbound,
        flow_input: String::new(),
        flow_version: None,
        replay: false,
    };
    (app, setup, dir)
}

fn heard(events: &[VoiceEvent]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            VoiceEvent::Heard(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect()
}

fn said(events: &[VoiceEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            VoiceEvent::Said { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// The caller says line `line` (`voiced_ms` of it) and then waits `pause_ms`.
async fn turn(call: &mut VoiceCall, line: usize, voiced_ms: u64, pause_ms: u64) -> Vec<VoiceEvent> {
    let mut events = call.push(&say(line, voiced_ms)).await.expect("push");
    events.extend(call.push(&silence(pause_ms)).await.expect("push"));
    call.playback_done();
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_ends_in_the_silence_after_it_and_the_flow_answers() {
    let (app, setup, _dir) = demo().await;
    let (engines, _) = fakes::engines(vec![ORDER], None);
    let (mut call, greeting) = VoiceCall::start(app, engines, setup, 8000).await;
    assert!(said(&greeting).contains("珍珍茶坊"), "{}", said(&greeting));
    assert!(greeting.iter().any(|e| matches!(e, VoiceEvent::Said { audio: Some(_), .. })), "the greeting has audio");
    call.playback_done();
    // A pause shorter than the end of the turn (1.2 s, no end-of-turn model) is part of the turn.
    let events = turn(&mut call, 0, 600, 500).await;
    assert!(heard(&events).is_empty(), "{:?}", heard(&events));
    let events = turn(&mut call, 0, 400, 1300).await;
    assert_eq!(heard(&events), [ORDER]);
    assert!(said(&events).contains("稱呼"), "the flow asks for a name next: {}", said(&events));
    assert!(matches!(events.last(), Some(VoiceEvent::TurnSpoken)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_after_a_question_is_no_input_and_the_flow_asks_again() {
    let (app, setup, _dir) = demo().await;
    let (engines, ears) = fakes::engines(vec![ORDER], None);
    let (mut call, _) = VoiceCall::start(app, engines, setup, 8000).await;
    // The gather's timeout runs from the end of the bot's playback.
    let events = call.push(&silence(7000)).await.unwrap();
    assert!(said(&events).is_empty(), "before the playback is done nothing times out");
    call.playback_done();
    let events = call.push(&silence(8500)).await.unwrap();
    assert!(heard(&events).is_empty());
    assert!(!said(&events).is_empty(), "the flow speaks again after no input");
    assert_eq!(*ears.heard.lock().unwrap(), 0, "silence is never sent to the recogniser");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expected_answer_ends_the_turn_before_the_full_silence() {
    let (app, setup, _dir) = demo().await;
    let (engines, _) = fakes::engines(vec![ORDER, NAME, "對"], None);
    let (mut call, _) = VoiceCall::start(app, engines, setup, 8000).await;
    call.playback_done();
    turn(&mut call, 0, 600, 1300).await;
    let events = turn(&mut call, 1, 500, 1300).await;
    assert!(said(&events).contains("電話"), "asked to confirm the number: {}", said(&events));
    // 「對」, then silence 20 ms at a time, each time letting a recognition begun in the pause finish.
    let mut events = call.push(&say(2, 300)).await.unwrap();
    let mut pause_ms = 0;
    while heard(&events).is_empty() {
        assert!(pause_ms < 1200, "the turn waited for the full silence: the expected answer did not end it");
        events.extend(call.push(&silence(20)).await.unwrap());
        pause_ms += 20;
        call.settle().await;
    }
    assert_eq!(heard(&events), ["對"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_for_a_person_transfers_with_the_reason() {
    let (app, setup, _dir) = demo().await;
    let (engines, _) = fakes::engines(vec![ORDER, "轉人工"], None);
    let (mut call, _) = VoiceCall::start(app, engines, setup, 8000).await;
    call.playback_done();
    turn(&mut call, 0, 600, 1300).await;
    let events = turn(&mut call, 1, 500, 1300).await;
    let handover = events.iter().find_map(|e| match e {
        VoiceEvent::Transfer(h) => Some(h),
        _ => None,
    });
    let handover = handover.expect("a transfer");
    assert_eq!(handover.reason, "caller-request");
    assert!(handover.summary.contains("紅茶"), "the agent is told the order: {}", handover.summary);
    assert!(said(&events).contains("轉接"), "the caller is told: {}", said(&events));
}

/// Waits on a channel for what a test expects, failing (not retrying) after a generous bound.
async fn next<T>(rx: &mut mpsc::UnboundedReceiver<T>, what: &str, wanted: impl Fn(&T) -> bool) -> T {
    let wait = async {
        while let Some(x) = rx.recv().await {
            if wanted(&x) {
                return x;
            }
        }
        panic!("the channel closed before {what}");
    };
    tokio::time::timeout(Duration::from_secs(60), wait).await.unwrap_or_else(|_| panic!("no {what}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listening_goes_on_while_the_bot_is_still_being_synthesised() {
    let (app, setup, _dir) = demo().await;
    let gate = Arc::new(Gate::default());
    gate.open();
    let (engines, _) = fakes::engines(vec![ORDER, NAME], Some(gate.clone()));
    let (mut call, _) = VoiceCall::start(app, engines, setup, 8000).await;
    let (tx, mut stream) = mpsc::unbounded_channel();
    call.stream = Some(tx);
    call.playback_done();
    gate.close();
    let before = gate.arrivals();
    // The order's turn: its answer is stuck in synthesis at the gate.
    call.push(&say(0, 600)).await.unwrap();
    call.push(&silence(1300)).await.unwrap();
    let waiting = gate.clone();
    tokio::task::spawn_blocking(move || waiting.wait_arrivals(before + 1)).await.unwrap();
    // The caller speaks again meanwhile: heard at once, and their turn ends and is answered.
    // (Were the reply synthesised in the listening task, this push would wait at the gate.)
    let pushed = tokio::time::timeout(Duration::from_secs(60), call.push(&say(1, 500))).await;
    pushed.expect("listening waited for synthesis").unwrap();
    next(&mut stream, "speech start", |e| matches!(e, VoiceEvent::SpeechStarted { .. })).await;
    call.push(&silence(1300)).await.unwrap();
    next(&mut stream, "the name heard", |e| matches!(e, VoiceEvent::Heard(t) if t.text == NAME)).await;
    gate.open();
    // The first answer went stale when the name was heard: what is said next answers the name.
    let e = next(&mut stream, "the next reply", |e| matches!(e, VoiceEvent::Said { .. })).await;
    let VoiceEvent::Said { text, .. } = e else { unreachable!() };
    assert!(text.contains("電話"), "the reply to the name, not the stale one: {text}");
    next(&mut stream, "the turn spoken", |e| matches!(e, VoiceEvent::TurnSpoken)).await;
}

/// Plays into nothing.
struct Speaker;
impl AudioOut for Speaker {
    fn play(&mut self, _frame: &[f32]) {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_who_speaks_over_the_bot_cuts_it_short() {
    let (app, setup, _dir) = demo().await;
    let (engines, _) = fakes::engines(vec![ORDER], None);
    // A slow voice: the greeting plays for several seconds.
    let slow = Arc::new(fakes::QuietVoice { language: "zh", ms_per_char: 250, gate: None });
    let engines = crate::call::voice::SpeechEngines::with(
        engines.vad.clone(),
        crate::speech::asr::AsrPool::start(
            Arc::new(fakes::ScriptedEars { lines: vec![ORDER], language: "zh", heard: Default::default() }),
            1,
            8,
        ),
        None,
        vec![slow],
        None,
    );
    let (call, greeting) = VoiceCall::start(app, engines, setup, 16_000).await;
    let mut conversation = Conversation::new(call, greeting, true, Duration::from_secs(120));
    let (progress_tx, mut progress) = mpsc::unbounded_channel();
    conversation.watcher = Some(Box::new(move |p| {
        let _ = progress_tx.send(p);
    }));
    let (media_tx, mut media) = mpsc::channel(256);
    let running = tokio::spawn(async move { conversation.run(&mut media, &mut Speaker).await });
    next(&mut progress, "the greeting", |p| matches!(p, Progress::Said(_))).await;
    for chunk in say(0, 800).chunks(320).chain(silence(1400).chunks(320)) {
        media_tx.send(MediaIn::Audio(chunk.to_vec())).await.unwrap();
    }
    next(&mut progress, "barge-in", |p| matches!(p, Progress::BargeIn)).await;
    next(&mut progress, "the order heard", |p| matches!(p, Progress::Heard(t) if t == ORDER)).await;
    let reply = next(&mut progress, "the reply", |p| matches!(p, Progress::Said(_))).await;
    assert!(matches!(&reply, Progress::Said(t) if t.contains("稱呼")), "{reply:?}");
    media_tx.send(MediaIn::Hangup).await.unwrap();
    running.await.unwrap();
}
