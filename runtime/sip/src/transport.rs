//! SIP over UDP and TCP on one address. Incoming messages are parsed here;
//! what cannot be parsed is answered `400 Bad Request` when it carries enough
//! to address a reply, and logged either way.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;

use super::message::{SipMessage, frame_length};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
}

impl Transport {
    pub fn via_name(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
        }
    }
}

/// A message and where it came from.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub msg: SipMessage,
    pub from: SocketAddr,
    pub transport: Transport,
}

pub struct Transports {
    pub local: SocketAddr,
    udp: Arc<UdpSocket>,
    tcp: Mutex<HashMap<SocketAddr, mpsc::UnboundedSender<Vec<u8>>>>,
}

/// Messages are at most this many bytes on a TCP connection's buffer before it is dropped.
const MAX_TCP_BUFFER: usize = 256 * 1024;

impl Transports {
    pub async fn bind(addr: SocketAddr) -> std::io::Result<(Arc<Transports>, mpsc::Receiver<Incoming>)> {
        let udp = Arc::new(UdpSocket::bind(addr).await?);
        let local = udp.local_addr()?;
        let tcp = TcpListener::bind(local).await?;
        let (tx, rx) = mpsc::channel(4096);
        let t = Arc::new(Transports { local, udp: udp.clone(), tcp: Mutex::new(HashMap::new()) });
        tokio::spawn(udp_loop(t.clone(), tx.clone()));
        tokio::spawn(tcp_accept(t.clone(), tcp, tx));
        Ok((t, rx))
    }

    pub fn send(&self, to: SocketAddr, transport: Transport, msg: &SipMessage) {
        let bytes = msg.to_bytes();
        tracing::trace!(%to, "SIP out:\n{}", String::from_utf8_lossy(&bytes));
        match transport {
            Transport::Udp => {
                if let Err(e) = self.udp.try_send_to(&bytes, to) {
                    tracing::warn!(%to, error = %e, "SIP send failed");
                }
            }
            Transport::Tcp => {
                let conns = self.tcp.lock().unwrap_or_else(|p| p.into_inner());
                match conns.get(&to) {
                    Some(c) => {
                        let _ = c.send(bytes);
                    }
                    None => tracing::warn!(%to, "no TCP connection to send on"),
                }
            }
        }
    }

    fn send_raw(&self, to: SocketAddr, transport: Transport, bytes: Vec<u8>) {
        match transport {
            Transport::Udp => {
                let _ = self.udp.try_send_to(&bytes, to);
            }
            Transport::Tcp => {
                if let Some(c) = self.tcp.lock().unwrap_or_else(|p| p.into_inner()).get(&to) {
                    let _ = c.send(bytes);
                }
            }
        }
    }

    /// Parse `data` and pass it on, or answer 400 when it is broken.
    async fn deliver(&self, data: &[u8], from: SocketAddr, transport: Transport, tx: &mpsc::Sender<Incoming>) {
        if data.iter().all(|b| b.is_ascii_whitespace()) {
            return; // keep-alive
        }
        tracing::trace!(%from, "SIP in:\n{}", String::from_utf8_lossy(data));
        match SipMessage::parse(data) {
            Ok(msg) => {
                if tx.send(Incoming { msg, from, transport }).await.is_err() {
                    tracing::warn!("SIP endpoint stopped");
                }
            }
            Err(e) => {
                tracing::warn!(%from, error = %e, "malformed SIP message");
                if let Some(reply) = bad_request(data, &e.to_string()) {
                    self.send_raw(from, transport, reply);
                }
            }
        }
    }
}

/// A `400 Bad Request` for a broken request that still names its transaction; `None` otherwise
/// (a broken response, or nothing to address a reply with).
fn bad_request(data: &[u8], why: &str) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split("\r\n");
    let first = lines.next()?;
    if first.starts_with("SIP/") || first.split(' ').count() != 3 {
        return None;
    }
    let mut reply = String::from("SIP/2.0 400 Bad Request\r\n");
    let mut found = 0;
    for line in lines.take_while(|l| !l.is_empty()) {
        let Some((name, _)) = line.split_once(':') else { continue };
        let name = name.trim();
        let wanted = ["Via", "v", "From", "f", "To", "t", "Call-ID", "i", "CSeq"];
        if wanted.iter().any(|w| w.eq_ignore_ascii_case(name)) {
            reply.push_str(line);
            reply.push_str("\r\n");
            found += 1;
        }
    }
    if found < 5 {
        return None;
    }
    let why: String = why.chars().filter(|c| !c.is_control()).take(120).collect();
    reply.push_str(&format!("Warning: 399 switchboard \"{}\"\r\nContent-Length: 0\r\n\r\n", why.replace('"', "'")));
    Some(reply.into_bytes())
}

async fn udp_loop(t: Arc<Transports>, tx: mpsc::Sender<Incoming>) {
    let mut buf = vec![0u8; 65_536];
    loop {
        match t.udp.recv_from(&mut buf).await {
            Ok((n, from)) => t.deliver(&buf[..n], from, Transport::Udp, &tx).await,
            Err(e) => {
                // ICMP port unreachable from an earlier send shows up here on some systems.
                tracing::debug!(error = %e, "SIP UDP receive error");
            }
        }
    }
}

async fn tcp_accept(t: Arc<Transports>, listener: TcpListener, tx: mpsc::Sender<Incoming>) {
    loop {
        match listener.accept().await {
            Ok((stream, from)) => {
                tokio::spawn(tcp_connection(t.clone(), stream, from, tx.clone()));
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIP TCP accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

async fn tcp_connection(t: Arc<Transports>, stream: TcpStream, from: SocketAddr, tx: mpsc::Sender<Incoming>) {
    let (mut read, mut write) = stream.into_split();
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    t.tcp.lock().unwrap_or_else(|p| p.into_inner()).insert(from, out_tx);
    let writer = tokio::spawn(async move {
        while let Some(bytes) = out_rx.recv().await {
            if write.write_all(&bytes).await.is_err() {
                break;
            }
        }
    });
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = vec![0u8; 8192];
    'conn: loop {
        let n = match read.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        loop {
            // Leading CRLFs are keep-alives.
            let skip = buf.iter().take_while(|b| **b == b'\r' || **b == b'\n').count();
            buf.drain(..skip);
            match frame_length(&buf) {
                Ok(Some(len)) => {
                    let frame: Vec<u8> = buf.drain(..len).collect();
                    t.deliver(&frame, from, Transport::Tcp, &tx).await;
                }
                Ok(None) if buf.len() <= MAX_TCP_BUFFER => break,
                Ok(None) => break 'conn,
                Err(e) => {
                    tracing::warn!(%from, error = %e, "unframeable SIP on TCP: closing the connection");
                    if let Some(reply) = bad_request(&buf, &e.to_string()) {
                        t.send_raw(from, Transport::Tcp, reply);
                    }
                    break 'conn;
                }
            }
        }
    }
    t.tcp.lock().unwrap_or_else(|p| p.into_inner()).remove(&from);
    writer.abort();
}
