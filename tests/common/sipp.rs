//! sipp as a peer in the tests: scenarios in `tests/sip/`, free ports, and a
//! sipp answering calls (an agent's phone) in the background.

#![allow(dead_code)]

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sip").join(name)
}

/// A free UDP port for sipp's SIP signalling.
///
/// Ports come from 10000–19999, below the kernel's ephemeral range (32768+), so a
/// socket some other test opens on port 0 cannot take one between this check and
/// sipp binding it; a process-wide counter keeps parallel tests apart.
pub fn free_port() -> u16 {
    claim(10_000, 20_000, 1)
}

/// A free SIP port for baresip, which listens on it over UDP and TCP and on the next port for
/// TLS: two ports, both protocols, from 20000–20999 (apart from sipp's ranges), so two
/// baresip callers in parallel tests never meet.
pub fn baresip_port() -> u16 {
    for _ in 0..500 {
        let base = claim(20_000, 21_000, 2);
        if (base..base + 2).all(|p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok()) {
            return base;
        }
    }
    panic!("no free TCP and UDP port pair in 20000–20999");
}

/// A free base port for sipp's media: sipp binds the port, the next for RTCP and
/// port + 2 and + 3 for video, so all four must be free. Taken from 21000–29999,
/// outside both the ephemeral range and the test servers' RTP ranges (30000+).
pub fn media_port() -> u16 {
    claim(21_000, 30_000, 4)
}

fn claim(first: u16, end: u16, width: u16) -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let slots = u32::from((end - first) / width);
    // Start test binaries at different places, so two running at once rarely meet.
    let start = std::process::id() % slots;
    for _ in 0..slots {
        let slot = (start + NEXT.fetch_add(1, Ordering::Relaxed)) % slots;
        let base = first + slot as u16 * width;
        let all_free = (base..base + width).all(|p| UdpSocket::bind(("127.0.0.1", p)).is_ok());
        if all_free {
            return base;
        }
    }
    panic!("no free UDP ports in {first}–{end}");
}

/// Start sipp answering calls on `port` (an agent's or a customer's phone), in the background;
/// its logs go to `dir`. Nothing waits for sipp to bind its port: an INVITE sent before it has
/// is retransmitted over UDP (RFC 3261 timer A, from 500 ms), as to any phone still starting.
pub fn sipp_peer(dir: &Path, file: &str, port: u16) -> Child {
    sipp_peer_with(dir, file, port, &[])
}

/// [`sipp_peer`] with more of sipp's options (`-rtp_echo`: send back the audio it hears).
pub fn sipp_peer_with(dir: &Path, file: &str, port: u16, extra: &[&str]) -> Child {
    let media = media_port().to_string();
    Command::new("sipp")
        .arg("-sf")
        .arg(scenario(file))
        .args(["-i", "127.0.0.1", "-p", &port.to_string(), "-mi", "127.0.0.1", "-mp", &media])
        .args(["-m", "1", "-timeout", "90s", "-timeout_error", "-nostdin", "-trace_err"])
        .args(extra)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sipp (scripts/setup installs it)")
}

/// The demo tenant's number.
pub const DEMO_NUMBER: &str = "+886223456789";

pub fn sipp_command(file: &str, target: &str, service: &str, dir: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new("sipp");
    let (port, media) = (free_port().to_string(), media_port().to_string());
    c.arg("-sf")
        .arg(scenario(file))
        .args(["-s", service, "-i", "127.0.0.1", "-p", &port, "-mi", "127.0.0.1", "-mp", &media])
        .args(["-m", "1", "-l", "1", "-timeout", "90s", "-timeout_error", "-nostdin", "-trace_err"])
        .args(extra)
        .arg(target)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Run sipp as a caller to the server and return its output.
pub fn sipp(server: &crate::common::Server, file: &str, service: &str, extra: &[&str]) -> Output {
    let target = server.sip.expect("server with SIP").to_string();
    sipp_command(file, &target, service, &server.data_dir, extra).output().expect("sipp (scripts/setup installs it)")
}

pub fn assert_passed(out: &Output, what: &str, server: &crate::common::Server) {
    if !out.status.success() {
        let errors: String = std::fs::read_dir(&server.data_dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with("_errors.log"))
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .collect();
        let log = std::fs::read_to_string(server.data_dir.join("server.log")).unwrap_or_default();
        let tail: String =
            log.lines().rev().take(60).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        panic!(
            "{what}: sipp failed ({})\nstdout: {}\nsipp errors: {errors}\nserver log tail:\n{tail}",
            out.status,
            String::from_utf8_lossy(&out.stdout).lines().rev().take(30).collect::<Vec<_>>().join("\n")
        );
    }
}

