//! SIP messages (RFC 3261 §7): parsing with limits and clear errors, and
//! serialisation. Header names are kept as sent; lookups are
//! case-insensitive and understand the compact forms (`v`, `f`, `t`, `i`...).

use std::fmt::Write as _;

use thiserror::Error;

/// Larger messages are refused (RFC 3261 suggests UDP messages stay well under this).
pub const MAX_MESSAGE: usize = 65_535;
const MAX_HEADERS: usize = 128;

#[derive(Debug, Error, PartialEq)]
pub enum ParseError {
    #[error("message is {0} bytes; at most {MAX_MESSAGE}")]
    TooLarge(usize),
    #[error("no blank line ends the headers")]
    Incomplete,
    #[error("the headers are not UTF-8")]
    NotText,
    #[error("bad start line `{0}`")]
    StartLine(String),
    #[error("bad header line `{0}`")]
    Header(String),
    #[error("more than {MAX_HEADERS} headers")]
    TooManyHeaders,
    #[error("missing {0} header")]
    Missing(&'static str),
    #[error("bad {0} header")]
    BadHeader(&'static str),
    #[error("body is shorter than Content-Length")]
    ShortBody,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StartLine {
    Request { method: String, uri: String },
    Response { status: u16, reason: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SipMessage {
    pub start: StartLine,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

fn full_name(name: &str) -> &str {
    match name {
        "v" | "V" => "Via",
        "f" | "F" => "From",
        "t" | "T" => "To",
        "i" | "I" => "Call-ID",
        "m" | "M" => "Contact",
        "l" | "L" => "Content-Length",
        "c" | "C" => "Content-Type",
        "k" | "K" => "Supported",
        "r" | "R" => "Refer-To",
        "o" | "O" => "Event",
        _ => name,
    }
}

/// Where a framed message ends in a stream (TCP): header end plus Content-Length.
/// `Ok(None)`: more bytes are needed.
pub fn frame_length(buf: &[u8]) -> Result<Option<usize>, ParseError> {
    let Some(end) = find(buf, b"\r\n\r\n") else {
        return if buf.len() > MAX_MESSAGE { Err(ParseError::TooLarge(buf.len())) } else { Ok(None) };
    };
    let head = std::str::from_utf8(&buf[..end]).map_err(|_| ParseError::NotText)?;
    let mut length = None;
    for line in head.split("\r\n").skip(1) {
        if let Some((name, value)) = line.split_once(':')
            && full_name(name.trim()).eq_ignore_ascii_case("Content-Length")
        {
            length = Some(value.trim().parse::<usize>().map_err(|_| ParseError::BadHeader("Content-Length"))?);
        }
    }
    let total = end + 4 + length.ok_or(ParseError::Missing("Content-Length"))?;
    if total > MAX_MESSAGE {
        return Err(ParseError::TooLarge(total));
    }
    Ok((buf.len() >= total).then_some(total))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

impl SipMessage {
    pub fn parse(data: &[u8]) -> Result<SipMessage, ParseError> {
        if data.len() > MAX_MESSAGE {
            return Err(ParseError::TooLarge(data.len()));
        }
        // Keep-alive CRLFs before a message are allowed (RFC 5626).
        let start_at = data.iter().position(|b| *b != b'\r' && *b != b'\n').unwrap_or(data.len());
        let data = &data[start_at..];
        let end = find(data, b"\r\n\r\n").ok_or(ParseError::Incomplete)?;
        let head = std::str::from_utf8(&data[..end]).map_err(|_| ParseError::NotText)?;
        let mut lines = head.split("\r\n");
        let first = lines.next().unwrap_or_default();
        let start = parse_start_line(first)?;
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                // A folded continuation of the previous header.
                let last = headers.last_mut().ok_or_else(|| ParseError::Header(line.into()))?;
                last.1.push(' ');
                last.1.push_str(line.trim());
                continue;
            }
            let (name, value) = line.split_once(':').ok_or_else(|| ParseError::Header(truncate(line)))?;
            let name = name.trim();
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(ParseError::Header(truncate(line)));
            }
            headers.push((full_name(name).to_string(), value.trim().to_string()));
            if headers.len() > MAX_HEADERS {
                return Err(ParseError::TooManyHeaders);
            }
        }
        let rest = &data[end + 4..];
        let msg = SipMessage { start, headers, body: Vec::new() };
        let body = match msg.header("Content-Length") {
            Some(v) => {
                let n: usize = v.parse().map_err(|_| ParseError::BadHeader("Content-Length"))?;
                rest.get(..n).ok_or(ParseError::ShortBody)?.to_vec()
            }
            None => rest.to_vec(),
        };
        let msg = SipMessage { body, ..msg };
        for required in ["Via", "From", "To", "Call-ID", "CSeq"] {
            if msg.header(required).is_none() {
                return Err(ParseError::Missing(required));
            }
        }
        msg.cseq().ok_or(ParseError::BadHeader("CSeq"))?;
        Ok(msg)
    }

    pub fn request(method: &str, uri: &str) -> SipMessage {
        SipMessage {
            start: StartLine::Request { method: method.into(), uri: uri.into() },
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A response to `req`, with its Via, From, To, Call-ID and CSeq, and its Record-Route
    /// (RFC 3261 §12.1.1: the route set a proxy in front, such as Kamailio, asked for, so that
    /// the caller's in-dialog requests reach this node through it).
    pub fn response_to(req: &SipMessage, status: u16, reason: &str) -> SipMessage {
        let mut headers = Vec::new();
        for (name, value) in &req.headers {
            if ["Via", "From", "To", "Call-ID", "CSeq", "Record-Route"].iter().any(|h| name.eq_ignore_ascii_case(h)) {
                headers.push((name.clone(), value.clone()));
            }
        }
        SipMessage { start: StartLine::Response { status, reason: reason.into() }, headers, body: Vec::new() }
    }

    pub fn with(mut self, name: &str, value: impl Into<String>) -> SipMessage {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn with_body(mut self, content_type: &str, body: Vec<u8>) -> SipMessage {
        self.headers.push(("Content-Type".into(), content_type.into()));
        self.body = body;
        self
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some(h) => h.1 = value,
            None => self.headers.push((name.to_string(), value)),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn method(&self) -> Option<&str> {
        match &self.start {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match &self.start {
            StartLine::Response { status, .. } => Some(*status),
            StartLine::Request { .. } => None,
        }
    }

    pub fn uri(&self) -> Option<&str> {
        match &self.start {
            StartLine::Request { uri, .. } => Some(uri),
            StartLine::Response { .. } => None,
        }
    }

    pub fn call_id(&self) -> &str {
        self.header("Call-ID").unwrap_or_default()
    }

    /// CSeq number and method.
    pub fn cseq(&self) -> Option<(u32, String)> {
        let (n, m) = self.header("CSeq")?.split_once(char::is_whitespace)?;
        Some((n.trim().parse().ok()?, m.trim().to_string()))
    }

    /// The branch of the top Via: identifies the transaction.
    pub fn branch(&self) -> Option<&str> {
        param(self.header("Via")?, "branch")
    }

    pub fn from_tag(&self) -> Option<&str> {
        param(self.header("From")?, "tag")
    }

    pub fn to_tag(&self) -> Option<&str> {
        param(self.header("To")?, "tag")
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut head = String::with_capacity(512);
        match &self.start {
            StartLine::Request { method, uri } => {
                let _ = write!(head, "{method} {uri} SIP/2.0\r\n");
            }
            StartLine::Response { status, reason } => {
                let _ = write!(head, "SIP/2.0 {status} {reason}\r\n");
            }
        }
        for (name, value) in &self.headers {
            if name.eq_ignore_ascii_case("Content-Length") {
                continue;
            }
            let _ = write!(head, "{name}: {value}\r\n");
        }
        let _ = write!(head, "Content-Length: {}\r\n\r\n", self.body.len());
        let mut out = head.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(80).collect()
}

fn parse_start_line(line: &str) -> Result<StartLine, ParseError> {
    let bad = || ParseError::StartLine(truncate(line));
    if let Some(rest) = line.strip_prefix("SIP/2.0 ") {
        let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
        let status: u16 = code.parse().map_err(|_| bad())?;
        if !(100..=699).contains(&status) {
            return Err(bad());
        }
        return Ok(StartLine::Response { status, reason: reason.to_string() });
    }
    let mut parts = line.split(' ');
    let (Some(method), Some(uri), Some("SIP/2.0"), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) || !uri.contains(':') {
        return Err(bad());
    }
    Ok(StartLine::Request { method: method.into(), uri: uri.into() })
}

/// A `;name=value` parameter of a header value (outside any `<…>`).
pub fn param<'a>(value: &'a str, name: &str) -> Option<&'a str> {
    let after = match value.rfind('>') {
        Some(i) => &value[i + 1..],
        None => value,
    };
    after.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The URI inside a name-addr (`"Bob" <sip:bob@host>;tag=1`) or addr-spec.
pub fn addr_uri(value: &str) -> &str {
    if let (Some(a), Some(b)) = (value.find('<'), value.find('>'))
        && a < b
    {
        return &value[a + 1..b];
    }
    value.split(';').next().unwrap_or(value).trim()
}

/// The user part of a SIP or tel URI (`sip:+886223456789@host;user=phone` → `+886223456789`).
pub fn uri_user(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("sip:").or_else(|| uri.strip_prefix("sips:")).or_else(|| uri.strip_prefix("tel:"))?;
    let rest = rest.split([';', '?']).next()?;
    let user = match rest.split_once('@') {
        Some((user, _)) => user.split(':').next()?,
        None if uri.starts_with("tel:") => rest,
        None => return None,
    };
    (!user.is_empty()).then_some(user)
}

/// Host and port of a SIP URI (`sip:agent@127.0.0.1:5080;transport=udp`).
pub fn uri_host_port(uri: &str) -> Option<(String, Option<u16>)> {
    let rest = uri.strip_prefix("sip:").or_else(|| uri.strip_prefix("sips:"))?;
    let rest = rest.split([';', '?']).next()?;
    let host = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
    if let Some(v6) = host.strip_prefix('[') {
        let (addr, port) = v6.split_once(']')?;
        return Some((addr.to_string(), port.strip_prefix(':').and_then(|p| p.parse().ok())));
    }
    match host.split_once(':') {
        Some((h, p)) => Some((h.to_string(), Some(p.parse().ok()?))),
        None => Some((host.to_string(), None)),
    }
}

/// A dialled number, normalised for lookup: digits with an optional leading `+`.
pub fn normalise_number(user: &str) -> String {
    let plus = user.starts_with('+');
    let digits: String = user.chars().filter(|c| c.is_ascii_digit()).collect();
    if plus { format!("+{digits}") } else { digits }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &str = "INVITE sip:+886223456789@127.0.0.1:5060 SIP/2.0\r\n\
        Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1;rport\r\n\
        f: \"Alice\" <sip:+886912345678@127.0.0.1:5061>;tag=abc\r\n\
        t: <sip:+886223456789@127.0.0.1>\r\n\
        i: call-1@127.0.0.1\r\n\
        CSeq: 1 INVITE\r\n\
        Subject: a folded\r\n  header\r\n\
        Content-Type: application/sdp\r\n\
        Content-Length: 4\r\n\r\nv=0\n";

    #[test]
    fn parses_a_request_with_compact_and_folded_headers() {
        let m = SipMessage::parse(INVITE.as_bytes()).unwrap();
        assert_eq!(m.method(), Some("INVITE"));
        assert_eq!(m.call_id(), "call-1@127.0.0.1");
        assert_eq!(m.from_tag(), Some("abc"));
        assert_eq!(m.to_tag(), None);
        assert_eq!(m.branch(), Some("z9hG4bK-1"));
        assert_eq!(m.cseq(), Some((1, "INVITE".into())));
        assert_eq!(m.header("subject"), Some("a folded header"));
        assert_eq!(m.body, b"v=0\n");
        assert_eq!(uri_user(m.uri().unwrap()), Some("+886223456789"));
        assert_eq!(uri_user(addr_uri(m.header("From").unwrap())), Some("+886912345678"));
        let again = SipMessage::parse(&m.to_bytes()).unwrap();
        assert_eq!(again.body, m.body);
        assert_eq!(again.header("Call-ID"), Some("call-1@127.0.0.1"));
    }

    #[test]
    fn responses_copy_the_transaction_headers() {
        let req = SipMessage::parse(INVITE.as_bytes()).unwrap();
        let resp = SipMessage::response_to(&req, 180, "Ringing");
        let text = String::from_utf8(resp.to_bytes()).unwrap();
        assert!(text.starts_with("SIP/2.0 180 Ringing\r\n"));
        assert!(text.contains("Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1;rport\r\n"));
        assert!(text.contains("CSeq: 1 INVITE\r\n"));
        assert!(!text.contains("Subject"));
        assert_eq!(SipMessage::parse(text.as_bytes()).unwrap().status(), Some(180));
    }

    #[test]
    fn malformed_messages_get_a_reason() {
        let cases: &[(&[u8], ParseError)] = &[
            (b"INVITE sip:x SIP/2.0\r\nVia: a\r\n", ParseError::Incomplete),
            (b"HELLO\r\n\r\n", ParseError::StartLine("HELLO".into())),
            (b"INVITE sip:x SIP/3.0\r\n\r\n", ParseError::StartLine("INVITE sip:x SIP/3.0".into())),
            (b"SIP/2.0 999 Huh\r\n\r\n", ParseError::StartLine("SIP/2.0 999 Huh".into())),
            (b"OPTIONS sip:x SIP/2.0\r\nno colon here\r\n\r\n", ParseError::Header("no colon here".into())),
            (b"OPTIONS sip:x SIP/2.0\r\nVia: a\r\n\r\n", ParseError::Missing("From")),
            (b"OPTIONS sip:x SIP/2.0\r\n\xff\xfe: x\r\n\r\n", ParseError::NotText),
        ];
        for (input, expected) in cases {
            assert_eq!(&SipMessage::parse(input).unwrap_err(), expected, "{}", String::from_utf8_lossy(input));
        }
        let no_cseq = INVITE.replace("CSeq: 1 INVITE", "CSeq: one");
        assert_eq!(SipMessage::parse(no_cseq.as_bytes()).unwrap_err(), ParseError::BadHeader("CSeq"));
        let short = INVITE.replace("Content-Length: 4", "Content-Length: 400");
        assert_eq!(SipMessage::parse(short.as_bytes()).unwrap_err(), ParseError::ShortBody);
        let huge = vec![b'a'; MAX_MESSAGE + 1];
        assert!(matches!(SipMessage::parse(&huge), Err(ParseError::TooLarge(_))));
    }

    #[test]
    fn stream_framing() {
        let bytes = INVITE.as_bytes();
        assert_eq!(frame_length(&bytes[..20]), Ok(None));
        assert_eq!(frame_length(&bytes[..bytes.len() - 1]), Ok(None));
        assert_eq!(frame_length(bytes), Ok(Some(bytes.len())));
        let mut two = bytes.to_vec();
        two.extend_from_slice(bytes);
        assert_eq!(frame_length(&two), Ok(Some(bytes.len())));
    }

    #[test]
    fn uris() {
        assert_eq!(uri_user("tel:+886223456789"), Some("+886223456789"));
        assert_eq!(uri_user("sip:127.0.0.1"), None);
        assert_eq!(uri_host_port("sip:agent@127.0.0.1:5080;transport=udp"), Some(("127.0.0.1".into(), Some(5080))));
        assert_eq!(uri_host_port("sip:pbx.example.com"), Some(("pbx.example.com".into(), None)));
        assert_eq!(uri_host_port("sip:a@[::1]:5070"), Some(("::1".into(), Some(5070))));
        assert_eq!(normalise_number("+886-2-2345 6789"), "+886223456789");
        assert_eq!(param("<sip:a@b;lr>;tag=x;foo", "tag"), Some("x"));
        assert_eq!(param("<sip:a@b;tag=inside>", "tag"), None);
    }
}
