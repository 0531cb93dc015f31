//! `GET /v1/tenants/{id}/stats` and `GET /v1/stats`: how the bot does over a period, by
//! bucket, from the hourly figures the store keeps as calls end (never from the calls).

use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult, Json, Query};
use super::openapi::STATS;
use super::{ApiState, Principal};
use switchboard_domain::ids::now_ms;
use switchboard_domain::stats::{Bucket, CallFigures, DAY_MS, Report, Stats, hour_of, summarise};

/// The longest period one report covers.
const MAX_PERIOD_DAYS: u64 = 400;

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Start of the period: ms since the epoch, or a date `YYYY-MM-DD` (midnight in the
    /// tenant's time; UTC across the provider). Default: 7 days before `to`.
    from: Option<String>,
    /// End of the period (excluded), in the same forms; a date means the end of that day.
    /// Default: now.
    to: Option<String>,
    /// `hour`, `day` (default) or `week`; days begin at local midnight, weeks on Monday.
    bucket: Option<String>,
}

/// A moment from the query: ms since the epoch, or a date in a clock `offset` minutes from UTC
/// (its midnight, or the next midnight when `end_of_day`).
fn moment(s: &str, offset_minutes: i32, end_of_day: bool, what: &str) -> Result<u64, ApiError> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map_err(|_| ApiError::bad_request(format!("{what}: `{s}` is too large")));
    }
    let bad = || ApiError::bad_request(format!("{what}: `{s}` is neither ms since the epoch nor a date YYYY-MM-DD"));
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else { return Err(bad()) };
    let (y, m, d): (i64, u32, u32) =
        (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(bad());
    }
    let days = days_from_civil(y, m, d) + end_of_day as i64;
    let ms = days * DAY_MS as i64 - offset_minutes as i64 * 60_000;
    Ok(ms.max(0) as u64)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The period and bucket a query asks for, checked.
pub(crate) fn period(q: &StatsQuery, offset_minutes: i32) -> Result<(u64, u64, Bucket), ApiError> {
    let to = match &q.to {
        Some(t) => moment(t, offset_minutes, true, "to")?,
        None => now_ms(),
    };
    let from = match &q.from {
        Some(f) => moment(f, offset_minutes, false, "from")?,
        None => to.saturating_sub(7 * DAY_MS),
    };
    if from >= to {
        return Err(ApiError::bad_request("from must be before to"));
    }
    if to - from > MAX_PERIOD_DAYS * DAY_MS {
        return Err(ApiError::bad_request(format!("a report covers at most {MAX_PERIOD_DAYS} days")));
    }
    let bucket = match q.bucket.as_deref() {
        None => Bucket::Day,
        Some(b) => Bucket::parse(b).ok_or_else(|| ApiError::bad_request("bucket: hour, day or week"))?,
    };
    if bucket == Bucket::Hour && to - from > 31 * DAY_MS {
        return Err(ApiError::bad_request("hourly buckets cover at most 31 days"));
    }
    Ok((from, to, bucket))
}

/// A tenant's figures
///
/// Calls offered and answered, containment, transfer, resolution and abandonment rates, average
/// handle time, orders and revenue, reply latency p50/p95 and flow errors, for the period and by
/// bucket, each figure's definition alongside. Computed from hourly figures kept as calls end.
#[utoipa::path(get, path = "/v1/tenants/{id}/stats", tag = STATS, params(("id" = String, Path, description = "The tenant's id."), StatsQuery),
    responses((status = 200, description = "The figures.", body = Stats)))]
pub async fn tenant(
    State(s): State<ApiState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<StatsQuery>,
) -> ApiResult<Json<Stats>> {
    let tenant = who.tenant(&s, &id).await?;
    let (from, to, bucket) = period(&q, tenant.utc_offset_minutes)?;
    let hours = s.app.db.call_figures(&tenant.id, hour_of(from), to).await?;
    Ok(Json(summarise(hours, from, to, bucket, tenant.utc_offset_minutes)))
}

/// Every tenant's figures together, and each tenant's totals.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProviderStats {
    #[serde(flatten)]
    stats: Stats,
    tenants: Vec<TenantTotals>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TenantTotals {
    id: String,
    name: String,
    totals: Report,
}

/// Figures across the provider
///
/// The same figures over every tenant (buckets in UTC), and each tenant's totals. Admin token only.
#[utoipa::path(get, path = "/v1/stats", tag = STATS, params(StatsQuery),
    responses((status = 200, description = "The figures.", body = ProviderStats)))]
pub async fn provider(
    State(s): State<ApiState>,
    who: Principal,
    Query(q): Query<StatsQuery>,
) -> ApiResult<Json<ProviderStats>> {
    who.require_admin()?;
    let (from, to, bucket) = period(&q, 0)?;
    let mut all = Vec::new();
    let mut tenants = Vec::new();
    for t in s.app.db.tenants().await? {
        let hours = s.app.db.call_figures(&t.id, hour_of(from), to).await?;
        let totals = CallFigures::total(hours.iter().map(|(_, f)| f)).report(from);
        tenants.push(TenantTotals { id: t.id, name: t.name, totals });
        all.extend(hours);
    }
    Ok(Json(ProviderStats { stats: summarise(all, from, to, bucket, 0), tenants }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_local_midnights() {
        // 2026-12-02 00:00 in Taipei (UTC+8) is 2026-12-01 16:00 UTC.
        assert_eq!(moment("2026-12-02", 480, false, "from").unwrap(), 1_796_140_800_000);
        assert_eq!(moment("2026-12-02", 480, true, "to").unwrap(), 1_796_140_800_000 + DAY_MS);
        assert_eq!(moment("1796140800000", 480, false, "from").unwrap(), 1_796_140_800_000);
        for bad in ["2026-02-30", "yesterday", "2026-13-01", ""] {
            assert!(moment(bad, 0, false, "from").is_err(), "{bad}");
        }
    }
}
