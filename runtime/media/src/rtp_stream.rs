//! One call leg's RTP: a UDP port pair (RTP, RTCP) from the configured range,
//! symmetric RTP (we answer where the peer's packets come from, which gets
//! through NAT), a jitter buffer, G.711 decoding to 16 kHz for the speech
//! engine, RFC 4733 key presses, and paced G.711 packets out with RTCP sender
//! reports every five seconds.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::dtmf::DtmfReceiver;
use super::g711::Law;
use super::jitter::{JitterBuffer, Played};
use super::resample::StreamResampler;
use super::rtp::{RtpPacket, RtpStats, SequenceTracker, is_rtcp};
use crate::{AudioOut, MediaIn};

/// Packets held to put late ones back in order: 3 × 20 ms.
const JITTER_DEPTH: usize = 3;
/// What the jitter buffer adds to the caller's audio, in ms.
pub const JITTER_HOLD_MS: u64 = JITTER_DEPTH as u64 * 20;
/// A stream with no packets this long (and not on hold) counts as a vanished caller.
pub const MEDIA_TIMEOUT: Duration = Duration::from_secs(30);
const SAMPLES_PER_PACKET: usize = 160;
/// 60 ms at 16 kHz: what a pause in the stream is heard as, per receive timeout.
const PAUSE_SILENCE: usize = 960;

/// Where RTP ports come from.
#[derive(Debug, Clone)]
pub struct RtpConfig {
    pub bind_ip: IpAddr,
    /// The address put in SDP (a public address when behind NAT).
    pub advertised_ip: IpAddr,
    pub port_min: u16,
    pub port_max: u16,
}

/// What was agreed for the leg.
#[derive(Debug, Clone, Copy)]
pub struct Codec {
    pub law: Law,
    pub payload_type: u8,
    pub dtmf: Option<u8>,
}

struct Shared {
    remote: Mutex<Option<SocketAddr>>,
    latched: AtomicBool,
    codec: Mutex<Codec>,
    stats: Mutex<RtpStats>,
    on_hold: AtomicBool,
}

pub struct RtpLeg {
    pub local_port: u16,
    socket: Arc<UdpSocket>,
    rtcp: Arc<UdpSocket>,
    shared: Arc<Shared>,
}

impl RtpLeg {
    /// Bind an even port and the odd one after it, trying the range from a random start.
    pub async fn bind(config: &RtpConfig) -> std::io::Result<RtpLeg> {
        let (min, max) = (config.port_min & !1, config.port_max);
        let span = ((max.saturating_sub(min)) / 2).max(1) as u32;
        let mut r = [0u8; 4];
        let _ = getrandom::fill(&mut r);
        let start = u32::from_le_bytes(r) % span;
        for i in 0..span.min(2000) {
            let port = min + (((start + i) % span) * 2) as u16;
            let Ok(rtp) = UdpSocket::bind((config.bind_ip, port)).await else { continue };
            let Ok(rtcp) = UdpSocket::bind((config.bind_ip, port + 1)).await else { continue };
            return Ok(RtpLeg {
                local_port: port,
                socket: Arc::new(rtp),
                rtcp: Arc::new(rtcp),
                shared: Arc::new(Shared {
                    remote: Mutex::new(None),
                    latched: AtomicBool::new(false),
                    codec: Mutex::new(Codec { law: Law::Pcmu, payload_type: 0, dtmf: None }),
                    stats: Mutex::new(RtpStats::default()),
                    on_hold: AtomicBool::new(false),
                }),
            });
        }
        Err(std::io::Error::new(std::io::ErrorKind::AddrInUse, format!("no free RTP port pair in {min}-{max}")))
    }

    /// Where to send (from SDP) and with what; a latched address from the peer's own packets wins.
    pub fn configure(&self, remote: SocketAddr, codec: Codec) {
        if !self.shared.latched.load(Ordering::Relaxed) {
            *self.shared.remote.lock().unwrap_or_else(|p| p.into_inner()) = Some(remote);
        }
        *self.shared.codec.lock().unwrap_or_else(|p| p.into_inner()) = codec;
    }

    /// Put the leg on hold (a re-INVITE with `sendonly`/`inactive`): no media timeout, no audio sent.
    pub fn set_hold(&self, hold: bool) {
        self.shared.on_hold.store(hold, Ordering::Relaxed);
    }

    pub fn stats(&self) -> RtpStats {
        self.shared.stats.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Receive until the leg is dropped: caller audio (16 kHz) and keys go to `tx`.
    pub fn receive(&self, tx: mpsc::Sender<MediaIn>, span: tracing::Span) -> tokio::task::JoinHandle<()> {
        let (socket, rtcp, shared) = (self.socket.clone(), self.rtcp.clone(), self.shared.clone());
        tokio::spawn(tracing::Instrument::instrument(receive_loop(socket, rtcp, shared, tx), span))
    }

    /// The sending half, which plays paced 16 kHz frames as G.711 packets.
    pub fn sender(&self) -> RtpSender {
        let mut r = [0u8; 10];
        let _ = getrandom::fill(&mut r);
        RtpSender {
            socket: self.socket.clone(),
            rtcp: self.rtcp.clone(),
            shared: self.shared.clone(),
            ssrc: u32::from_le_bytes([r[0], r[1], r[2], r[3]]),
            sequence: u16::from_le_bytes([r[4], r[5]]),
            timestamp: u32::from_le_bytes([r[6], r[7], r[8], r[9]]),
            down: StreamResampler::new(16_000, 8_000),
            pending: Vec::with_capacity(SAMPLES_PER_PACKET * 2),
            first: true,
            last_report: Instant::now(),
        }
    }
}

async fn receive_loop(socket: Arc<UdpSocket>, rtcp: Arc<UdpSocket>, shared: Arc<Shared>, tx: mpsc::Sender<MediaIn>) {
    let mut buf = vec![0u8; 2048];
    let mut rtcp_buf = vec![0u8; 2048];
    let mut jitter = JitterBuffer::new(JITTER_DEPTH);
    let mut sequences = SequenceTracker::default();
    let mut keys = DtmfReceiver::default();
    let mut up = StreamResampler::new(8_000, 16_000);
    let mut last_packet = Instant::now();
    let mut malformed = 0u64;
    let mut decoded = Vec::with_capacity(SAMPLES_PER_PACKET);
    let deliver = |played: Vec<Played>, law: Law, up: &mut StreamResampler, decoded: &mut Vec<f32>| {
        let mut out = Vec::new();
        for p in played {
            decoded.clear();
            match p {
                Played::Packet(bytes) => law.decode(&bytes, decoded),
                // A lost packet is heard as 20 ms of silence.
                Played::Lost => decoded.resize(SAMPLES_PER_PACKET, 0.0),
            }
            up.process(decoded, &mut out);
        }
        out
    };
    loop {
        let received = tokio::select! {
            r = tokio::time::timeout(Duration::from_millis(60), socket.recv_from(&mut buf)) => r,
            r = rtcp.recv_from(&mut rtcp_buf) => {
                if r.is_ok() {
                    shared.stats.lock().unwrap_or_else(|p| p.into_inner()).rtcp_received += 1;
                }
                continue;
            }
        };
        let codec = *shared.codec.lock().unwrap_or_else(|p| p.into_inner());
        let (n, from) = match received {
            Err(_) => {
                // The stream paused (silence suppression, a player between files, loss): play what
                // is held, then silence, so that endpointing still hears the caller stop talking.
                let mut audio = deliver(jitter.flush(), codec.law, &mut up, &mut decoded);
                audio.resize(audio.len() + PAUSE_SILENCE, 0.0);
                if !audio.is_empty() && tx.try_send(MediaIn::Audio(audio)).is_err() && tx.is_closed() {
                    return;
                }
                if last_packet.elapsed() > MEDIA_TIMEOUT && !shared.on_hold.load(Ordering::Relaxed) {
                    tracing::warn!("no RTP for {} s: treating the caller as gone", MEDIA_TIMEOUT.as_secs());
                    let _ = tx.send(MediaIn::Hangup).await;
                    return;
                }
                if tx.is_closed() {
                    return;
                }
                continue;
            }
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "RTP receive error");
                continue;
            }
            Ok(Ok(r)) => r,
        };
        let data = &buf[..n];
        if is_rtcp(data) {
            shared.stats.lock().unwrap_or_else(|p| p.into_inner()).rtcp_received += 1;
            continue;
        }
        let packet = match RtpPacket::parse(data) {
            Ok(p) => p,
            Err(e) => {
                malformed += 1;
                if malformed.is_power_of_two() {
                    tracing::warn!(%from, error = %e, malformed, "malformed RTP dropped");
                }
                continue;
            }
        };
        // Symmetric RTP: latch onto the first source, ignore others.
        if !shared.latched.swap(true, Ordering::Relaxed) {
            *shared.remote.lock().unwrap_or_else(|p| p.into_inner()) = Some(from);
            tracing::debug!(%from, "RTP source latched");
        } else if *shared.remote.lock().unwrap_or_else(|p| p.into_inner()) != Some(from) {
            continue;
        }
        last_packet = Instant::now();
        let seq = sequences.extend(packet.sequence);
        shared.stats.lock().unwrap_or_else(|p| p.into_inner()).received(&packet, seq);
        if Some(packet.payload_type) == codec.dtmf {
            if let Some(key) = keys.receive(packet.timestamp, &packet.payload) {
                tracing::info!(key = %key, "DTMF (RFC 4733)");
                if tx.send(MediaIn::Dtmf(key)).await.is_err() {
                    return;
                }
            }
            continue;
        }
        if packet.payload_type != codec.payload_type {
            // Comfort noise and anything not negotiated.
            continue;
        }
        let audio = deliver(jitter.push(seq, packet.payload), codec.law, &mut up, &mut decoded);
        if !audio.is_empty() && tx.try_send(MediaIn::Audio(audio)).is_err() && tx.is_closed() {
            return;
        }
    }
}

pub struct RtpSender {
    socket: Arc<UdpSocket>,
    rtcp: Arc<UdpSocket>,
    shared: Arc<Shared>,
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    down: StreamResampler,
    pending: Vec<f32>,
    first: bool,
    last_report: Instant,
}

impl RtpSender {
    fn send_packet(&mut self, samples: &[f32]) {
        let Some(remote) = *self.shared.remote.lock().unwrap_or_else(|p| p.into_inner()) else { return };
        let codec = *self.shared.codec.lock().unwrap_or_else(|p| p.into_inner());
        let mut payload = Vec::with_capacity(samples.len());
        codec.law.encode(samples, &mut payload);
        let packet = RtpPacket {
            payload_type: codec.payload_type,
            marker: std::mem::take(&mut self.first),
            sequence: self.sequence,
            timestamp: self.timestamp,
            ssrc: self.ssrc,
            payload,
        };
        self.sequence = self.sequence.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(samples.len() as u32);
        let bytes = packet.to_bytes();
        if !self.shared.on_hold.load(Ordering::Relaxed) {
            let _ = self.socket.try_send_to(&bytes, remote);
        }
        let mut stats = self.shared.stats.lock().unwrap_or_else(|p| p.into_inner());
        stats.packets_sent += 1;
        stats.octets_sent += packet.payload.len() as u64;
        if self.last_report.elapsed() >= Duration::from_secs(5) {
            self.last_report = Instant::now();
            let report = stats.sender_report(self.ssrc, self.timestamp, ntp_now());
            let _ = self.rtcp.try_send_to(&report, SocketAddr::new(remote.ip(), remote.port().wrapping_add(1)));
        }
    }
}

impl AudioOut for RtpSender {
    /// Any length of 16 kHz audio; sent as 20 ms G.711 packets as it fills them.
    fn play(&mut self, frame: &[f32]) {
        self.down.process(frame, &mut self.pending);
        while self.pending.len() >= SAMPLES_PER_PACKET {
            let packet: Vec<f32> = self.pending.drain(..SAMPLES_PER_PACKET).collect();
            self.send_packet(&packet);
        }
    }
}

/// The wall clock as a 64-bit NTP timestamp (RFC 3550 §4).
fn ntp_now() -> u64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs() + 2_208_988_800;
    let frac = ((now.subsec_nanos() as u64) << 32) / 1_000_000_000;
    (secs << 32) | frac
}
