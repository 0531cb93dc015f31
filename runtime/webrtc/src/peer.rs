//! One browser's WebRTC connection, driven by its own task: str0m is sans-IO,
//! so this task feeds it the datagrams the endpoint routed here and the clock,
//! sends what it wants sent on the shared socket, and turns its events into
//! the conversation's input (16 kHz audio, key presses, hang-up). The other way,
//! the conversation's 20 ms frames become Opus packets, and call progress
//! (transcript, state) goes to the widget over the data channel.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use str0m::channel::ChannelId;
use str0m::format::{Codec, CodecExtra};
use str0m::media::{Frequency, MediaKind, MediaTime, Mid, Pt};
use str0m::net::{Protocol, Receive};
use str0m::{Event, IceConnectionState, Input, Output, Rtc, RtcError};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use switchboard_call::conversation::{AudioOut, MediaIn};
use switchboard_media::opus::{OPUS_FRAME, OpusDecoder, OpusEncoder};

/// A browser that sends nothing at all (no audio, no ICE consent checks) for this long is gone.
pub const GONE_AFTER: Duration = Duration::from_secs(8);
/// How long a hang-up waits for the widget's last messages to be delivered before closing.
const CLOSE_GRACE: Duration = Duration::from_millis(300);
/// A browser that has not connected (ICE and DTLS) this long after the answer never will.
const CONNECT_WITHIN: Duration = Duration::from_secs(20);
/// The caller's audio stopped coming for this long (Opus DTX, a silent Web Audio track, a muted
/// microphone): the gap is heard as silence, so that the caller's turn still ends and "no input"
/// still comes. Longer than the packet jitter of a live stream.
const PAUSE_AFTER: Duration = Duration::from_millis(120);
/// Unreadable media packets in a row that end the call (a peer that sends nothing else).
const MAX_BAD_PACKETS_IN_A_ROW: u32 = 64;
/// 20 ms of the conversation's 16 kHz audio.
const FRAME_16K: usize = 320;

/// A datagram the endpoint routed to this peer.
pub struct Datagram {
    pub from: SocketAddr,
    pub at: Instant,
    pub data: Vec<u8>,
}

/// What the call asks of its peer task.
#[derive(Debug)]
pub enum PeerCommand {
    /// 20 ms of the bot's (or an agent's) voice, 16 kHz.
    Audio(Vec<f32>),
    /// A JSON message for the widget (transcript lines, call state).
    Notify(String),
    /// Hang up: close the connection.
    Close,
}

/// The call's handle on its peer: plays audio into it and sends the widget messages.
#[derive(Clone)]
pub struct PeerLink {
    tx: mpsc::UnboundedSender<PeerCommand>,
}

impl PeerLink {
    pub fn notify(&self, message: serde_json::Value) {
        let _ = self.tx.send(PeerCommand::Notify(message.to_string()));
    }

    pub fn close(&self) {
        let _ = self.tx.send(PeerCommand::Close);
    }
}

impl AudioOut for PeerLink {
    fn play(&mut self, frame: &[f32]) {
        let _ = self.tx.send(PeerCommand::Audio(frame.to_vec()));
    }
}

pub struct Peer {
    pub rtc: Rtc,
    pub socket: Arc<UdpSocket>,
    pub local: SocketAddr,
    pub net: mpsc::Receiver<Datagram>,
    pub media: mpsc::Sender<MediaIn>,
}

/// Start the peer's task; the returned link drives it.
pub fn spawn(peer: Peer, span: tracing::Span) -> PeerLink {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(tracing::Instrument::instrument(drive(peer, rx), span));
    PeerLink { tx }
}

struct State {
    audio: Option<(Mid, Pt)>,
    channel: Option<ChannelId>,
    /// Widget messages waiting for the data channel to open.
    unsent: Vec<String>,
    encoder: OpusEncoder,
    decoder: OpusDecoder,
    /// RTP time of the next packet we send, 48 kHz.
    rtp_time: u64,
    /// RTP time of the last telephone event acted on (its packets share one).
    last_key: Option<u64>,
    connected: bool,
    /// How far the caller's audio reaches in time: a packet's arrival, or silence filled in since.
    heard_until: Option<Instant>,
    stats: Stats,
}

#[derive(Default, Debug)]
struct Stats {
    datagrams_in: u64,
    rejected: u64,
    audio_in: u64,
    audio_out: u64,
    keys: u64,
}

/// Why the peer stopped.
#[derive(Debug)]
enum End {
    HungUp,
    Vanished,
    NeverConnected,
    Closed,
    Failed(String),
}

async fn drive(peer: Peer, mut commands: mpsc::UnboundedReceiver<PeerCommand>) {
    let Peer { mut rtc, socket, local, mut net, media } = peer;
    let (encoder, decoder) = match (OpusEncoder::new(), OpusDecoder::new()) {
        (Ok(e), Ok(d)) => (e, d),
        _ => {
            tracing::error!("libopus could not start a codec");
            let _ = media.send(MediaIn::Hangup).await;
            return;
        }
    };
    let mut st = State {
        audio: None,
        channel: None,
        unsent: Vec::new(),
        encoder,
        decoder,
        rtp_time: 0,
        last_key: None,
        connected: false,
        heard_until: None,
        stats: Stats::default(),
    };
    let started = Instant::now();
    let mut last_heard = Instant::now();
    let mut closing: Option<tokio::time::Instant> = None;
    let mut unrouted = false;
    let end = loop {
        // Let str0m say everything it has to say, up to its next timer.
        let mut over = None;
        let mut bad_packets = 0;
        let wake = loop {
            match rtc.poll_output() {
                // One packet the codec could not read (a malformed telephone event, say): the
                // packet is dropped, the call goes on.
                Err(RtcError::Packet(mid, pt, e)) if bad_packets < MAX_BAD_PACKETS_IN_A_ROW => {
                    bad_packets += 1;
                    st.stats.rejected += 1;
                    tracing::debug!(%mid, %pt, error = %e, "unreadable media packet dropped");
                }
                Ok(Output::Timeout(t)) => break t,
                Ok(Output::Transmit(t)) => {
                    if let Err(e) = socket.try_send_to(&t.contents, t.destination) {
                        tracing::debug!(error = %e, to = %t.destination, "webrtc send failed");
                    }
                }
                Ok(Output::Event(e)) => {
                    over = on_event(&mut rtc, &mut st, e, &media);
                    if over.is_some() {
                        break Instant::now();
                    }
                }
                Err(e) => {
                    over = Some(End::Failed(e.to_string()));
                    break Instant::now();
                }
            }
        };
        if let Some(end) = over {
            break end;
        }
        if !rtc.is_alive() {
            break End::Closed;
        }
        let now = Instant::now();
        if !st.connected && now.duration_since(started) > CONNECT_WITHIN {
            break End::NeverConnected;
        }
        let wake = tokio::time::Instant::from_std(wake.max(now).min(now + Duration::from_millis(100)));
        let gone_at = tokio::time::Instant::from_std(last_heard + GONE_AFTER);
        tokio::select! {
            d = net.recv(), if !unrouted => {
                let Some(d) = d else {
                    // The endpoint forgot this call: hanging up, or gone.
                    if closing.is_some() {
                        unrouted = true;
                        continue;
                    }
                    break End::Closed;
                };
                st.stats.datagrams_in += 1;
                last_heard = d.at;
                let contents = match d.data.as_slice().try_into() {
                    Ok(c) => c,
                    Err(_) => {
                        st.stats.rejected += 1;
                        continue;
                    }
                };
                let input = Input::Receive(d.at, Receive { proto: Protocol::Udp, source: d.from, destination: local, contents });
                if !rtc.accepts(&input) {
                    st.stats.rejected += 1;
                    continue;
                }
                if let Err(e) = rtc.handle_input(input) {
                    // A malformed or replayed packet is the sender's problem, not the call's.
                    st.stats.rejected += 1;
                    tracing::debug!(error = %e, "webrtc packet rejected");
                }
            }
            c = commands.recv(), if closing.is_none() => match c {
                Some(PeerCommand::Audio(frame)) => send_audio(&mut rtc, &mut st, &frame),
                Some(PeerCommand::Notify(text)) => notify(&mut rtc, &mut st, text),
                Some(PeerCommand::Close) | None => {
                    // Let what is queued for the widget (the last transcript line, "ended") go out first.
                    closing.get_or_insert(tokio::time::Instant::now() + CLOSE_GRACE);
                }
            },
            _ = sleep_until_some(closing) => break End::HungUp,
            _ = tokio::time::sleep_until(wake) => {}
            _ = tokio::time::sleep_until(gone_at) => break End::Vanished,
        }
        if let Err(e) = rtc.handle_input(Input::Timeout(Instant::now())) {
            break End::Failed(e.to_string());
        }
        fill_pause(&mut st, &media);
    };
    match &end {
        End::HungUp => {
            // Say goodbye properly: the widget hears the channel and DTLS close.
            let _ = rtc.close();
            for _ in 0..32 {
                match rtc.poll_output() {
                    Ok(Output::Transmit(t)) => {
                        let _ = socket.try_send_to(&t.contents, t.destination);
                    }
                    Ok(Output::Event(_)) => {}
                    _ => break,
                }
            }
        }
        other => {
            if let End::Failed(e) = other {
                tracing::warn!(error = %e, "webrtc connection failed");
            }
            tracing::info!(why = ?other, "browser gone");
        }
    }
    // The conversation hears the end either way (after a hang-up it may already be over).
    let _ = media.send(MediaIn::Hangup).await;
    tracing::info!(
        datagrams_in = st.stats.datagrams_in,
        rejected = st.stats.rejected,
        audio_in = st.stats.audio_in,
        audio_out = st.stats.audio_out,
        keys = st.stats.keys,
        "webrtc connection closed"
    );
}

async fn sleep_until_some(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// The caller's audio paused (see [`PAUSE_AFTER`]): hear the gap as silence, 20 ms at a time.
fn fill_pause(st: &mut State, media: &mpsc::Sender<MediaIn>) {
    let Some(at) = st.heard_until else { return };
    let gap = Instant::now().saturating_duration_since(at);
    if gap < PAUSE_AFTER {
        return;
    }
    let frames = (gap.as_millis() / 20) as usize;
    if media.try_send(MediaIn::Audio(vec![0.0; frames * FRAME_16K])).is_err() {
        tracing::debug!("conversation behind: pause dropped");
    }
    st.heard_until = Some(at + Duration::from_millis(frames as u64 * 20));
}

/// React to one str0m event; `Some` when the connection is over.
fn on_event(rtc: &mut Rtc, st: &mut State, e: Event, media: &mpsc::Sender<MediaIn>) -> Option<End> {
    match e {
        Event::Connected => {
            st.connected = true;
            tracing::info!("browser connected (ICE and DTLS-SRTP up)");
        }
        Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
            tracing::info!("ICE disconnected");
            rtc.disconnect();
            return Some(End::Vanished);
        }
        Event::MediaAdded(m) if m.kind == MediaKind::Audio => {
            let pt = rtc
                .writer(m.mid)
                .and_then(|w| w.payload_params().find(|p| p.spec().codec == Codec::Opus).map(|p| p.pt()));
            match pt {
                Some(pt) => st.audio = Some((m.mid, pt)),
                None => tracing::warn!(mid = %m.mid, "the browser's audio has no Opus"),
            }
        }
        Event::MediaData(d) => match d.codec_extra {
            CodecExtra::Tele(ev) => {
                let at = d.time.numer();
                if st.last_key != Some(at) {
                    st.last_key = Some(at);
                    if let Some(key) = switchboard_media::dtmf::event_char(ev.event) {
                        st.stats.keys += 1;
                        tracing::info!(%key, "key press (RFC 4733)");
                        let _ = media.try_send(MediaIn::Dtmf(key));
                    }
                }
            }
            _ if d.params.spec().codec == Codec::Opus => {
                let mut pcm = Vec::with_capacity(320);
                if !d.contiguous && st.stats.audio_in > 0 {
                    st.decoder.conceal(OPUS_FRAME, &mut pcm);
                }
                st.decoder.decode(&d.data, &mut pcm);
                st.stats.audio_in += 1;
                st.heard_until = Some(Instant::now());
                if media.try_send(MediaIn::Audio(pcm)).is_err() {
                    tracing::debug!("conversation behind: caller audio dropped");
                }
            }
            _ => {}
        },
        Event::ChannelOpen(id, label) => {
            tracing::debug!(%label, "data channel open");
            st.channel = Some(id);
            for text in std::mem::take(&mut st.unsent) {
                notify(rtc, st, text);
            }
        }
        Event::ChannelClose(id) if st.channel == Some(id) => st.channel = None,
        _ => {}
    }
    None
}

fn send_audio(rtc: &mut Rtc, st: &mut State, frame: &[f32]) {
    let packets = st.encoder.encode(frame);
    let Some((mid, pt)) = st.audio else { return };
    for packet in packets {
        let time = MediaTime::new(st.rtp_time, Frequency::FORTY_EIGHT_KHZ);
        st.rtp_time += OPUS_FRAME as u64;
        if !st.connected {
            continue;
        }
        if let Some(w) = rtc.writer(mid) {
            match w.write(pt, Instant::now(), time, packet) {
                Ok(()) => st.stats.audio_out += 1,
                Err(e) => tracing::debug!(error = %e, "audio not sent"),
            }
        }
    }
}

fn notify(rtc: &mut Rtc, st: &mut State, text: String) {
    let sent = st.channel.and_then(|id| rtc.channel(id)).map(|mut ch| ch.write(false, text.as_bytes()));
    match sent {
        Some(Ok(_)) => {}
        Some(Err(e)) => tracing::debug!(error = %e, "widget message not sent"),
        None if st.unsent.len() < 256 => st.unsent.push(text),
        None => {}
    }
}
