//! sipp as a peer in the tests: scenarios in `tests/sip/`, free ports, and a
//! sipp answering calls (an agent's phone) in the background.

#![allow(dead_code)]

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sip").join(name)
}

pub fn free_port() -> u16 {
    // An even port whose odd neighbour is free too (sipp uses both for media).
    loop {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        let p = s.local_addr().unwrap().port();
        if p % 2 == 0 && p < 65000 && UdpSocket::bind(("127.0.0.1", p + 1)).is_ok() {
            return p;
        }
    }
}

/// Start sipp answering calls on `port` (an agent's or a customer's phone), in the background;
/// its logs go to `dir`.
pub fn sipp_peer(dir: &Path, file: &str, port: u16) -> Child {
    let media = free_port().to_string();
    Command::new("sipp")
        .arg("-sf")
        .arg(scenario(file))
        .args(["-i", "127.0.0.1", "-p", &port.to_string(), "-mi", "127.0.0.1", "-mp", &media])
        .args(["-m", "1", "-timeout", "90s", "-timeout_error", "-nostdin", "-trace_err"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sipp (scripts/setup installs it)")
}
