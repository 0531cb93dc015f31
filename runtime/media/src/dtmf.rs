//! Telephone events (RFC 4733): key presses carried in RTP, and SIP INFO bodies.

/// The character for an RFC 4733 event code (0–9, *, #, A–D).
pub fn event_char(code: u8) -> Option<char> {
    match code {
        0..=9 => Some((b'0' + code) as char),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some((b'A' + code - 12) as char),
        _ => None,
    }
}

pub fn event_code(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        'A'..='D' => Some(c as u8 - b'A' + 12),
        _ => None,
    }
}

/// One RFC 4733 payload.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TelephoneEvent {
    pub code: u8,
    pub end: bool,
    pub volume: u8,
    pub duration: u16,
}

impl TelephoneEvent {
    pub fn parse(payload: &[u8]) -> Option<TelephoneEvent> {
        let b: &[u8; 4] = payload.get(..4)?.try_into().ok()?;
        Some(TelephoneEvent {
            code: b[0],
            end: b[1] & 0x80 != 0,
            volume: b[1] & 0x3F,
            duration: u16::from_be_bytes([b[2], b[3]]),
        })
    }

    pub fn to_bytes(self) -> [u8; 4] {
        let d = self.duration.to_be_bytes();
        [self.code, (self.end as u8) << 7 | (self.volume & 0x3F), d[0], d[1]]
    }
}

/// Turns the packets of key presses into key presses: an event is reported
/// once, when its first packet arrives (an event is identified by its RTP
/// timestamp; its updates and three end packets repeat it).
#[derive(Debug, Default)]
pub struct DtmfReceiver {
    last_timestamp: Option<u32>,
}

impl DtmfReceiver {
    pub fn receive(&mut self, timestamp: u32, payload: &[u8]) -> Option<char> {
        let event = TelephoneEvent::parse(payload)?;
        if self.last_timestamp == Some(timestamp) {
            return None;
        }
        self.last_timestamp = Some(timestamp);
        event_char(event.code)
    }
}

/// The key in a SIP INFO body: `application/dtmf-relay` (`Signal=5`) or `application/dtmf` (`5`).
pub fn from_info_body(content_type: &str, body: &str) -> Option<char> {
    let ct = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let value = match ct.as_str() {
        "application/dtmf-relay" => body.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            k.trim().eq_ignore_ascii_case("signal").then(|| v.trim().to_string())
        })?,
        "application/dtmf" => body.trim().to_string(),
        _ => return None,
    };
    let mut chars = value.chars();
    let c = chars.next()?.to_ascii_uppercase();
    if chars.next().is_some() {
        // `Signal=10` and `11` are * and # in some implementations.
        return match value.as_str() {
            "10" => Some('*'),
            "11" => Some('#'),
            _ => None,
        };
    }
    event_code(c).map(|_| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_reported_once_however_often_it_is_repeated() {
        let mut rx = DtmfReceiver::default();
        let five = |end, duration| TelephoneEvent { code: 5, end, volume: 10, duration }.to_bytes();
        assert_eq!(rx.receive(1000, &five(false, 160)), Some('5'));
        assert_eq!(rx.receive(1000, &five(false, 320)), None);
        for _ in 0..3 {
            assert_eq!(rx.receive(1000, &five(true, 800)), None);
        }
        assert_eq!(rx.receive(2000, &five(false, 160)), Some('5'), "the same key again is a new event");
        assert_eq!(rx.receive(3000, &[11, 0, 0, 160]), Some('#'));
        assert_eq!(rx.receive(4000, &[99, 0, 0, 160]), None, "not a key");
        assert_eq!(rx.receive(5000, &[1, 2]), None, "truncated");
    }

    #[test]
    fn info_bodies() {
        assert_eq!(from_info_body("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"), Some('5'));
        assert_eq!(from_info_body("application/dtmf-relay", "Signal= #\r\n"), Some('#'));
        assert_eq!(from_info_body("application/dtmf-relay", "Signal=11\r\n"), Some('#'));
        assert_eq!(from_info_body("application/dtmf", "0"), Some('0'));
        assert_eq!(from_info_body("application/dtmf-relay", "Signal=X"), None);
        assert_eq!(from_info_body("text/plain", "5"), None);
    }
}
