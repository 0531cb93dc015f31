//! SDP offer/answer (RFC 3264) for one audio stream: G.711 (PCMU, PCMA) and
//! RFC 4733 telephone-event.

use std::fmt::Write as _;
use std::net::IpAddr;

use switchboard_media::g711::Law;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    fn attr(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction we answer with.
    pub fn answer(self) -> Direction {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            d => d,
        }
    }
}

/// The audio stream a session description offers or answers.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioStream {
    pub address: IpAddr,
    pub port: u16,
    /// Payload types in the order of preference.
    pub formats: Vec<u8>,
    /// `a=rtpmap` entries: payload type, encoding name, clock rate.
    pub rtpmap: Vec<(u8, String, u32)>,
    pub direction: Direction,
}

/// What both sides agreed on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Negotiated {
    pub law: Law,
    pub payload_type: u8,
    /// The telephone-event payload type, when the peer offered one.
    pub dtmf: Option<u8>,
    pub direction: Direction,
}

impl AudioStream {
    pub fn parse(sdp: &str) -> Result<AudioStream, String> {
        let mut session_addr = None;
        let mut media_addr = None;
        let mut in_audio = false;
        let mut seen_audio = false;
        let mut port = 0u16;
        let mut formats = Vec::new();
        let mut rtpmap = Vec::new();
        let mut direction = Direction::SendRecv;
        for line in sdp.lines().map(str::trim) {
            let Some((kind, value)) = line.split_once('=') else { continue };
            match kind {
                "m" => {
                    in_audio = false;
                    if seen_audio {
                        continue;
                    }
                    let mut parts = value.split_whitespace();
                    if parts.next() == Some("audio") {
                        port = parts.next().and_then(|p| p.parse().ok()).ok_or("bad m=audio port")?;
                        let proto = parts.next().unwrap_or_default();
                        if proto != "RTP/AVP" && proto != "RTP/AVPF" {
                            return Err(format!("unsupported audio transport {proto}"));
                        }
                        formats = parts.filter_map(|f| f.parse().ok()).collect();
                        in_audio = true;
                        seen_audio = true;
                    }
                }
                "c" => {
                    let addr = value.split_whitespace().nth(2).ok_or("bad c= line")?;
                    let addr = addr.split('/').next().unwrap_or(addr);
                    let ip: IpAddr = addr.parse().map_err(|_| format!("c= address `{addr}` is not an IP address"))?;
                    if in_audio {
                        media_addr = Some(ip);
                    } else if !seen_audio {
                        session_addr = Some(ip);
                    }
                }
                "a" if in_audio || !seen_audio => {
                    if let Some(map) = value.strip_prefix("rtpmap:") {
                        let (pt, enc) = map.split_once(' ').ok_or("bad rtpmap")?;
                        let mut enc = enc.split('/');
                        let name = enc.next().unwrap_or_default().to_string();
                        let rate = enc.next().and_then(|r| r.parse().ok()).unwrap_or(8000);
                        if let Ok(pt) = pt.parse() {
                            rtpmap.push((pt, name, rate));
                        }
                    } else {
                        match value {
                            "sendrecv" => direction = Direction::SendRecv,
                            "sendonly" => direction = Direction::SendOnly,
                            "recvonly" => direction = Direction::RecvOnly,
                            "inactive" => direction = Direction::Inactive,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if !seen_audio {
            return Err("no audio stream offered".into());
        }
        let address = media_addr.or(session_addr).ok_or("no connection address (c=)")?;
        if address.is_unspecified() {
            // RFC 2543 hold: c=0.0.0.0.
            direction = Direction::Inactive;
        }
        Ok(AudioStream { address, port, formats, rtpmap, direction })
    }

    fn encoding(&self, pt: u8) -> Option<(String, u32)> {
        if let Some((_, name, rate)) = self.rtpmap.iter().find(|(p, _, _)| *p == pt) {
            return Some((name.to_ascii_uppercase(), *rate));
        }
        match pt {
            0 => Some(("PCMU".into(), 8000)),
            8 => Some(("PCMA".into(), 8000)),
            _ => None,
        }
    }

    /// Pick the first G.711 law in the offer's order, and telephone-event if offered.
    pub fn negotiate(&self) -> Result<Negotiated, String> {
        let mut chosen = None;
        let mut dtmf = None;
        for &pt in &self.formats {
            match self.encoding(pt) {
                Some((name, 8000)) if name == "PCMU" && chosen.is_none() => chosen = Some((Law::Pcmu, pt)),
                Some((name, 8000)) if name == "PCMA" && chosen.is_none() => chosen = Some((Law::Pcma, pt)),
                Some((name, 8000)) if name == "TELEPHONE-EVENT" && dtmf.is_none() => dtmf = Some(pt),
                _ => {}
            }
        }
        let (law, payload_type) = chosen.ok_or("no common codec: PCMU or PCMA at 8000 Hz is required")?;
        Ok(Negotiated { law, payload_type, dtmf, direction: self.direction.answer() })
    }
}

/// A session description with one audio stream. `codecs` lists what we offer (or answer), in order.
pub fn describe(
    session_id: u64,
    version: u64,
    address: IpAddr,
    port: u16,
    codecs: &[(u8, Law)],
    dtmf: Option<u8>,
    direction: Direction,
) -> String {
    let family = if address.is_ipv6() { "IP6" } else { "IP4" };
    let mut s = String::new();
    let _ = write!(s, "v=0\r\no=switchboard {session_id} {version} IN {family} {address}\r\n");
    let _ = write!(s, "s=switchboard\r\nc=IN {family} {address}\r\nt=0 0\r\n");
    let mut formats: Vec<String> = codecs.iter().map(|(pt, _)| pt.to_string()).collect();
    if let Some(pt) = dtmf {
        formats.push(pt.to_string());
    }
    let _ = write!(s, "m=audio {port} RTP/AVP {}\r\n", formats.join(" "));
    for (pt, law) in codecs {
        let _ = write!(s, "a=rtpmap:{pt} {}/8000\r\n", law.name());
    }
    if let Some(pt) = dtmf {
        let _ = write!(s, "a=rtpmap:{pt} telephone-event/8000\r\na=fmtp:{pt} 0-16\r\n");
    }
    let _ = write!(s, "a=ptime:20\r\na={}\r\n", direction.attr());
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n\
        c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 8 0 101\r\n\
        a=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n";

    #[test]
    fn answers_with_the_first_common_law_and_telephone_events() {
        let offer = AudioStream::parse(OFFER).unwrap();
        assert_eq!((offer.address.to_string(), offer.port), ("127.0.0.1".into(), 6000));
        let n = offer.negotiate().unwrap();
        assert_eq!((n.law, n.payload_type, n.dtmf, n.direction), (Law::Pcma, 8, Some(101), Direction::SendRecv));
        let answer = describe(1, 1, offer.address, 7000, &[(n.payload_type, n.law)], n.dtmf, n.direction);
        let back = AudioStream::parse(&answer).unwrap();
        assert_eq!(back.negotiate().unwrap().law, Law::Pcma);
        assert_eq!(back.port, 7000);
    }

    #[test]
    fn hold_and_refusals() {
        let hold = OFFER.replace("c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0");
        assert_eq!(AudioStream::parse(&hold).unwrap().direction, Direction::Inactive);
        let sendonly = format!("{OFFER}a=sendonly\r\n");
        assert_eq!(AudioStream::parse(&sendonly).unwrap().negotiate().unwrap().direction, Direction::RecvOnly);
        let opus_only = "v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 5 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n";
        assert!(AudioStream::parse(opus_only).unwrap().negotiate().unwrap_err().contains("no common codec"));
        assert!(AudioStream::parse("v=0\r\nm=video 5 RTP/AVP 96\r\n").unwrap_err().contains("no audio"));
        assert!(AudioStream::parse("v=0\r\nm=audio 5 RTP/AVP 0\r\n").unwrap_err().contains("no connection"));
        assert!(AudioStream::parse("v=0\r\nc=IN IP4 nonsense\r\nm=audio 5 RTP/AVP 0\r\n").is_err());
        assert!(AudioStream::parse("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 99999 RTP/AVP 0\r\n").is_err());
        assert!(AudioStream::parse("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 5 RTP/SAVP 0\r\n").is_err());
    }
}
