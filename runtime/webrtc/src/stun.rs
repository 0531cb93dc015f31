//! Just enough STUN (RFC 5389) to send each datagram on the shared UDP port to
//! its call: ICE connectivity checks name the call in their USERNAME
//! (`<our ufrag>:<their ufrag>`); every other packet (DTLS, SRTP) is known by
//! the address its checks came from. Message integrity is str0m's job.

const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xA4, 0x42];
const USERNAME: u16 = 0x0006;

/// Whether a datagram is a STUN message (RFC 7983 demultiplexing: first byte 0–3, magic cookie).
pub fn is_stun(b: &[u8]) -> bool {
    b.len() >= 20 && b[0] < 4 && b[4..8] == MAGIC_COOKIE
}

/// Our ICE username fragment, from a STUN message's USERNAME attribute.
pub fn local_ufrag(b: &[u8]) -> Option<&str> {
    if !is_stun(b) {
        return None;
    }
    let declared = u16::from_be_bytes([b[2], b[3]]) as usize;
    let body = b.get(20..20 + declared)?;
    let mut at = 0;
    while at + 4 <= body.len() {
        let kind = u16::from_be_bytes([body[at], body[at + 1]]);
        let len = u16::from_be_bytes([body[at + 2], body[at + 3]]) as usize;
        let value = body.get(at + 4..at + 4 + len)?;
        if kind == USERNAME {
            let username = std::str::from_utf8(value).ok()?;
            return username.split(':').next().filter(|u| !u.is_empty());
        }
        at += 4 + len.div_ceil(4) * 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding_request(username: &str) -> Vec<u8> {
        let mut attrs = Vec::new();
        // A PRIORITY attribute first, then USERNAME (padded).
        attrs.extend_from_slice(&[0x00, 0x24, 0x00, 0x04, 1, 2, 3, 4]);
        attrs.extend_from_slice(&USERNAME.to_be_bytes());
        attrs.extend_from_slice(&(username.len() as u16).to_be_bytes());
        attrs.extend_from_slice(username.as_bytes());
        while attrs.len() % 4 != 0 {
            attrs.push(0);
        }
        let mut m = vec![0x00, 0x01];
        m.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
        m.extend_from_slice(&MAGIC_COOKIE);
        m.extend_from_slice(&[7; 12]);
        m.extend_from_slice(&attrs);
        m
    }

    #[test]
    fn the_username_names_the_call() {
        assert_eq!(local_ufrag(&binding_request("abcd:xyz")), Some("abcd"));
        assert_eq!(local_ufrag(&binding_request("a1b:c")), Some("a1b"));
    }

    #[test]
    fn anything_else_names_nothing() {
        assert_eq!(local_ufrag(&binding_request(":xyz")), None);
        let mut truncated = binding_request("abcd:xyz");
        truncated.truncate(26);
        assert_eq!(local_ufrag(&truncated), None);
        // A DTLS record, an RTP packet, garbage.
        assert!(!is_stun(&[22, 254, 253, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert!(!is_stun(&[0x80, 111, 0, 1, 0x21, 0x12, 0xA4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(local_ufrag(&[0u8; 3]), None);
    }
}
