//! Hours on days of the week, in someone's local time: a queue's opening hours, a
//! campaign's calling window.

use serde::{Deserialize, Serialize};

/// Hours on some days of the week, in local time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Hours {
    /// ISO days: 1 Monday … 7 Sunday.
    pub days: Vec<u8>,
    /// `HH:MM`, opening.
    pub open: String,
    /// `HH:MM`, closing (after `open`; `24:00` for midnight).
    pub close: String,
}

fn minutes(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.split_once(':')?;
    let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

/// Every entry has days 1 to 7 and opens before it closes.
pub fn valid(hours: &[Hours]) -> bool {
    hours.iter().all(|h| {
        let (open, close) = (minutes(&h.open), minutes(&h.close));
        !h.days.is_empty()
            && h.days.iter().all(|d| (1..=7).contains(d))
            && open.is_some()
            && close.is_some()
            && open < close
    })
}

/// (ISO day, minute of the day) at `now_ms`, `utc_offset_minutes` from UTC.
fn local(now_ms: u64, utc_offset_minutes: i32) -> (u8, u32) {
    let local_min = (now_ms / 60_000) as i64 + utc_offset_minutes as i64;
    let day_index = local_min.div_euclid(24 * 60);
    // 1970-01-01 was a Thursday (ISO day 4).
    (((day_index + 3).rem_euclid(7) + 1) as u8, local_min.rem_euclid(24 * 60) as u32)
}

/// Whether `now_ms` falls in one of `hours` (an empty list is never open).
pub fn open_at(hours: &[Hours], now_ms: u64, utc_offset_minutes: i32) -> bool {
    let (day, minute) = local(now_ms, utc_offset_minutes);
    hours.iter().any(|h| {
        h.days.contains(&day)
            && minutes(&h.open).is_some_and(|o| o <= minute)
            && minutes(&h.close).is_some_and(|c| minute < c)
    })
}

/// The first moment at or after `now_ms` in one of `hours` (`now_ms` itself when open), or
/// `None` when they are never open.
pub fn next_open(hours: &[Hours], now_ms: u64, utc_offset_minutes: i32) -> Option<u64> {
    if open_at(hours, now_ms, utc_offset_minutes) {
        return Some(now_ms);
    }
    let (day, minute) = local(now_ms, utc_offset_minutes);
    let start_of_minute = now_ms - now_ms % 60_000;
    // Each day from today, the earliest opening still ahead.
    (0..8u32)
        .filter_map(|ahead| {
            let d = ((day as u32 - 1 + ahead) % 7 + 1) as u8;
            let opening = hours
                .iter()
                .filter(|h| h.days.contains(&d))
                .filter_map(|h| minutes(&h.open))
                .filter(|o| ahead > 0 || *o > minute)
                .min()?;
            let minutes_ahead = ahead as u64 * 24 * 60 + opening as u64 - minute as u64;
            Some(start_of_minute + minutes_ahead * 60_000)
        })
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(days: &[u8], open: &str, close: &str) -> Hours {
        Hours { days: days.to_vec(), open: open.into(), close: close.into() }
    }

    // 2026-12-02 (a Wednesday, ISO 3) 01:00 UTC = 09:00 in Taipei.
    const WED_0900_TPE: u64 = 1_796_173_200_000;

    #[test]
    fn open_and_next_opening_in_local_time() {
        let w = [h(&[1, 2, 3, 4, 5], "10:00", "20:00")];
        assert!(!open_at(&w, WED_0900_TPE, 480));
        assert_eq!(next_open(&w, WED_0900_TPE, 480), Some(WED_0900_TPE + 3_600_000));
        assert!(open_at(&w, WED_0900_TPE + 3_600_000, 480));
        // After closing on Friday: Monday at ten.
        let fri_2100 = WED_0900_TPE + 2 * 86_400_000 + 12 * 3_600_000;
        assert!(!open_at(&w, fri_2100, 480));
        assert_eq!(next_open(&w, fri_2100, 480), Some(fri_2100 + (3 + 24 + 24 + 10) * 3_600_000));
        assert_eq!(next_open(&[], WED_0900_TPE, 480), None);
        assert!(valid(&w) && !valid(&[h(&[8], "10:00", "20:00")]) && !valid(&[h(&[1], "20:00", "10:00")]));
    }
}
